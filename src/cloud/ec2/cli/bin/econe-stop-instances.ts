#!/usr/bin/env node
import { StopInstancesCommand } from '@aws-sdk/client-ec2';
import { instanceIds, printStateChanges } from '../instances.js';
import { main } from '../run.js';

main({
  name: 'econe-stop-instances',
  description: 'Stops instances (INSTANCE-ID[,INSTANCE-ID...], as econe-run-instances printed them).',
  args: [{ name: 'INSTANCE-ID[,INSTANCE-ID...]' }],
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new StopInstancesCommand({ InstanceIds: instanceIds(ctx) }));
    printStateChanges(ctx, 'Stopping', out.StoppingInstances);
  },
});

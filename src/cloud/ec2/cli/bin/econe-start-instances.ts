#!/usr/bin/env node
import { StartInstancesCommand } from '@aws-sdk/client-ec2';
import { instanceIds, printStateChanges } from '../instances.js';
import { main } from '../run.js';

main({
  name: 'econe-start-instances',
  description: 'Starts instances (INSTANCE-ID[,INSTANCE-ID...], as econe-run-instances printed them).',
  args: [{ name: 'INSTANCE-ID[,INSTANCE-ID...]' }],
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new StartInstancesCommand({ InstanceIds: instanceIds(ctx) }));
    printStateChanges(ctx, 'Starting', out.StartingInstances);
  },
});

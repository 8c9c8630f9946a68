#!/usr/bin/env node
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { instanceIds, printStateChanges } from '../instances.js';
import { main } from '../run.js';

main({
  name: 'econe-terminate-instances',
  description: 'Terminates instances (INSTANCE-ID[,INSTANCE-ID...], as econe-run-instances printed them).',
  args: [{ name: 'INSTANCE-ID[,INSTANCE-ID...]' }],
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new TerminateInstancesCommand({ InstanceIds: instanceIds(ctx) }));
    printStateChanges(ctx, 'Terminating', out.TerminatingInstances);
  },
});

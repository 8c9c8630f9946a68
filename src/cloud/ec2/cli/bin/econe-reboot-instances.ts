#!/usr/bin/env node
import { RebootInstancesCommand } from '@aws-sdk/client-ec2';
import { instanceIds } from '../instances.js';
import { main } from '../run.js';

main({
  name: 'econe-reboot-instances',
  description: 'Reboots running instances (INSTANCE-ID[,INSTANCE-ID...]).',
  args: [{ name: 'INSTANCE-ID[,INSTANCE-ID...]' }],
  async run(ctx) {
    const ids = instanceIds(ctx);
    await (await ctx.ec2()).send(new RebootInstancesCommand({ InstanceIds: ids }));
    for (const id of ids) ctx.print(`Success: Rebooting ${id}`);
  },
});

#!/usr/bin/env node
import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-associate-address',
  description: 'Associates an elastic IP address with an instance.',
  args: [{ name: 'PUBLIC-IP' }, { name: 'INSTANCE-ID' }],
  async run(ctx) {
    const [ip, instance] = ctx.args as [string, string];
    await (await ctx.ec2()).send(new AssociateAddressCommand({ PublicIp: ip, InstanceId: instance }));
    if (ctx.options.verbose) ctx.print(`${ip} associated with ${instance}`);
  },
});

#!/usr/bin/env node
import { DisassociateAddressCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-disassociate-address',
  description: 'Disassociates an elastic IP address from its instance.',
  args: [{ name: 'PUBLIC-IP' }],
  async run(ctx) {
    await (await ctx.ec2()).send(new DisassociateAddressCommand({ PublicIp: ctx.args[0]! }));
    if (ctx.options.verbose) ctx.print(`${ctx.args[0]} disassociated`);
  },
});

#!/usr/bin/env node
import { ReleaseAddressCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-release-address',
  description: 'Releases an elastic IP address (disassociating it first if needed).',
  args: [{ name: 'PUBLIC-IP' }],
  async run(ctx) {
    await (await ctx.ec2()).send(new ReleaseAddressCommand({ PublicIp: ctx.args[0]! }));
    if (ctx.options.verbose) ctx.print(`${ctx.args[0]} released`);
  },
});

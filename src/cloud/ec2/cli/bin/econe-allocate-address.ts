#!/usr/bin/env node
import { AllocateAddressCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-allocate-address',
  description: 'Allocates an elastic IP address from the cloud\'s elastic IP network and prints it.',
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new AllocateAddressCommand({}));
    if (ctx.options.headers === true) ctx.print('publicIp\n--------------------');
    ctx.print(String(out.PublicIp));
  },
});

#!/usr/bin/env node
import { RegisterImageCommand, type RegisterImageCommandInput } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-register',
  description: 'Registers an uploaded image (IMAGE-ID, as econe-upload printed it) so that it can be run.',
  args: [{ name: 'IMAGE-ID' }],
  async run(ctx) {
    // 3.x sent only ImageLocation; the SDK's types also want a Name, which the server does not need.
    const input = { ImageLocation: ctx.args[0]! } as RegisterImageCommandInput;
    const out = await (await ctx.ec2()).send(new RegisterImageCommand(input));
    ctx.print(`Success: ImageId ${out.ImageId}`);
  },
});

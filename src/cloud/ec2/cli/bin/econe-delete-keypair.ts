#!/usr/bin/env node
import { DeleteKeyPairCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-delete-keypair',
  description: 'Deletes a key pair.',
  args: [{ name: 'KEY-NAME' }],
  async run(ctx) {
    await (await ctx.ec2()).send(new DeleteKeyPairCommand({ KeyName: ctx.args[0]! }));
    if (ctx.options.verbose) ctx.print(`key pair ${ctx.args[0]} deleted`);
  },
});

#!/usr/bin/env node
import { DeleteVolumeCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-delete-volume',
  description: 'Deletes a volume (VOLUME-ID, vol-...) that is not attached.',
  args: [{ name: 'VOLUME-ID' }],
  async run(ctx) {
    await (await ctx.ec2()).send(new DeleteVolumeCommand({ VolumeId: ctx.args[0]! }));
    if (ctx.options.verbose) ctx.print(`${ctx.args[0]} deleted`);
  },
});

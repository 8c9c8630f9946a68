#!/usr/bin/env node
import { CreateVolumeCommand, type CreateVolumeCommandInput } from '@aws-sdk/client-ec2';
import { EconeError } from '../command.js';
import { formatFields } from '../table.js';
import { main } from '../run.js';

main({
  name: 'econe-create-volume',
  description: 'Creates a new empty volume (a persistent DATABLOCK image) of --size GiB.',
  options: [{ long: 'size', short: 's', value: 'GIB', description: 'The size of the volume in GiB' }],
  async run(ctx) {
    const size = Number(ctx.options.size);
    if (ctx.options.size === undefined || !Number.isInteger(size) || size < 1) throw new EconeError('--size wants a whole number of GiB (1 or more)', 1);
    // The SDK's types want an AvailabilityZone; econe-server picks one when none is sent, as 3.x did.
    const out = await (await ctx.ec2()).send(new CreateVolumeCommand({ Size: size } as CreateVolumeCommandInput));
    for (const l of formatFields([
      ['volumeId', out.VolumeId],
      ['size', out.Size],
      ['status', out.State],
      ['createTime', out.CreateTime?.toISOString()],
    ]))
      ctx.print(l);
  },
});

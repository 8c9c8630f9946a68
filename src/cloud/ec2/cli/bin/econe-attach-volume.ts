#!/usr/bin/env node
import { AttachVolumeCommand } from '@aws-sdk/client-ec2';
import { EconeError } from '../command.js';
import { printAttachment } from '../volumes.js';
import { main } from '../run.js';

main({
  name: 'econe-attach-volume',
  description: 'Attaches a volume (VOLUME-ID, vol-...) to a running instance as a device.',
  args: [{ name: 'VOLUME-ID' }],
  options: [
    { long: 'instance', short: 'i', value: 'INSTANCE-ID', description: 'The instance to attach the volume to' },
    { long: 'device', short: 'd', value: 'DEVICE', description: 'The device name the instance sees, e.g. /dev/sdf' },
  ],
  async run(ctx) {
    const { instance, device } = ctx.options;
    if (typeof instance !== 'string' || typeof device !== 'string') throw new EconeError('give --instance and --device', 1);
    const out = await (await ctx.ec2()).send(new AttachVolumeCommand({ VolumeId: ctx.args[0]!, InstanceId: instance, Device: device }));
    printAttachment(ctx, out);
  },
});

#!/usr/bin/env node
import { DetachVolumeCommand } from '@aws-sdk/client-ec2';
import { printAttachment } from '../volumes.js';
import { main } from '../run.js';

main({
  name: 'econe-detach-volume',
  description: 'Detaches a volume (VOLUME-ID, vol-...) from the instance it is attached to.',
  args: [{ name: 'VOLUME-ID' }],
  options: [
    { long: 'instance', short: 'i', value: 'INSTANCE-ID', description: 'The instance it is attached to' },
    { long: 'device', short: 'd', value: 'DEVICE', description: 'The device name it is attached as' },
  ],
  async run(ctx) {
    const { instance, device } = ctx.options;
    const out = await (await ctx.ec2()).send(
      new DetachVolumeCommand({
        VolumeId: ctx.args[0]!,
        ...(typeof instance === 'string' ? { InstanceId: instance } : {}),
        ...(typeof device === 'string' ? { Device: device } : {}),
      }),
    );
    printAttachment(ctx, out);
  },
});

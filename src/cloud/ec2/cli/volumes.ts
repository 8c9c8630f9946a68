/** What the volume commands share. */
import type { VolumeAttachment } from '@aws-sdk/client-ec2';
import type { EconeContext } from './command.js';
import { formatFields } from './table.js';

/** The answer of AttachVolume / DetachVolume, as 3.x printed it. */
export function printAttachment(ctx: EconeContext, a: VolumeAttachment): void {
  for (const l of formatFields([
    ['volumeId', a.VolumeId],
    ['instanceId', a.InstanceId],
    ['status', a.State],
    ['device', a.Device],
  ]))
    ctx.print(l);
}

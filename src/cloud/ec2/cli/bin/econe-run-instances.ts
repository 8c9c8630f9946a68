#!/usr/bin/env node
import { RunInstancesCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import { instanceCount, userData } from '../instances.js';
import { formatTable } from '../table.js';
import { main } from '../run.js';

main({
  name: 'econe-run-instances',
  description: 'Runs instances of an image (IMAGE-ID: ami-..., as econe-describe-images shows).',
  args: [{ name: 'IMAGE-ID' }],
  options: [
    { long: 'type', short: 't', value: 'TYPE', description: "Instance type, one of econe.conf's (default: its default_instance_type)" },
    { long: 'keypair', short: 'k', value: 'NAME', description: 'Key pair whose public key goes into the context' },
    { long: 'user-data', short: 'd', value: 'DATA', description: 'Base64-encoded user data for the instances' },
    { long: 'instance-count', short: 'n', value: 'N|MIN-MAX', description: 'How many instances (all or none)' },
  ],
  async run(ctx) {
    const [min, max] = instanceCount(ctx.options['instance-count'] as string | undefined);
    const data = userData(ctx.options['user-data'] as string | undefined);
    const out = await (await ctx.ec2()).send(
      new RunInstancesCommand({
        ImageId: ctx.args[0]!,
        // No -t: the server's default_instance_type (3.x's tool sent m1.small, its default then).
        ...(typeof ctx.options.type === 'string' ? { InstanceType: ctx.options.type as _InstanceType } : {}),
        MinCount: min,
        MaxCount: max,
        ...(data ? { UserData: data } : {}),
        ...(typeof ctx.options.keypair === 'string' ? { KeyName: ctx.options.keypair } : {}),
      }),
    );
    const rows = out.Instances ?? [];
    const lines = formatTable(
      [
        { header: 'Owner', width: 12, value: () => out.OwnerId },
        { header: 'ImageId', width: 13, value: (i) => i.ImageId },
        { header: 'InstanceId', width: 14, value: (i) => i.InstanceId },
        { header: 'InstanceType', width: 12, value: (i) => i.InstanceType },
      ],
      rows,
      ctx.options.headers === true,
    );
    for (const l of lines) ctx.print(l);
  },
});

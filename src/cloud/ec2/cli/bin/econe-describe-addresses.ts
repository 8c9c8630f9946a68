#!/usr/bin/env node
import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { formatTable } from '../table.js';
import { main } from '../run.js';

main({
  name: 'econe-describe-addresses',
  description: 'Lists your elastic IP addresses and the instances they are associated with.',
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new DescribeAddressesCommand({}));
    const lines = formatTable(
      [
        { header: 'publicIp', width: 15, value: (a) => a.PublicIp },
        { header: 'instanceId', width: 12, value: (a) => a.InstanceId },
      ],
      out.Addresses ?? [],
      ctx.options.headers === true,
    );
    for (const l of lines) ctx.print(l);
  },
});

#!/usr/bin/env node
import { paginateDescribeVolumes, type Volume } from '@aws-sdk/client-ec2';
import { formatTable } from '../table.js';
import { main } from '../run.js';

main({
  name: 'econe-describe-volumes',
  description: 'Lists your volumes (DATABLOCK images) and where they are attached.',
  async run(ctx) {
    const all: Volume[] = [];
    for await (const page of paginateDescribeVolumes({ client: await ctx.ec2() }, {})) all.push(...(page.Volumes ?? []));
    const lines = formatTable(
      [
        { header: 'volumeId', width: 13, value: (v) => v.VolumeId },
        { header: 'size', width: 4, value: (v) => v.Size },
        { header: 'status', width: 10, value: (v) => v.State },
        { header: 'createTime', width: 24, value: (v) => v.CreateTime?.toISOString() },
        { header: 'instanceId', width: 12, value: (v) => v.Attachments?.[0]?.InstanceId },
        { header: 'device', width: 8, value: (v) => v.Attachments?.[0]?.Device },
      ],
      all,
      ctx.options.headers === true,
    );
    for (const l of lines) ctx.print(l);
  },
});

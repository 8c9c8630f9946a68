#!/usr/bin/env node
import { paginateDescribeImages, type Image } from '@aws-sdk/client-ec2';
import { formatTable } from '../table.js';
import { main } from '../run.js';

main({
  name: 'econe-describe-images',
  description: 'Lists the images you can run (every page of DescribeImages).',
  async run(ctx) {
    const all: Image[] = [];
    for await (const page of paginateDescribeImages({ client: await ctx.ec2() }, {})) all.push(...(page.Images ?? []));
    const lines = formatTable(
      [
        { header: 'Owner', width: 12, value: (i) => i.OwnerId },
        { header: 'ImageId', width: 13, value: (i) => i.ImageId },
        { header: 'Status', width: 14, value: (i) => i.State },
        { header: 'Visibility', width: 12, value: (i) => (i.Public ? 'public' : 'private') },
        { header: 'Location', width: 20, value: (i) => i.ImageLocation ?? i.Name },
      ],
      all,
      ctx.options.headers === true,
    );
    for (const l of lines) ctx.print(l);
  },
});

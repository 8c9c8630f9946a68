#!/usr/bin/env node
import { paginateDescribeInstances, type Instance } from '@aws-sdk/client-ec2';
import { printInstances } from '../instances.js';
import { main } from '../run.js';

main({
  name: 'econe-describe-instances',
  description: 'Lists your instances (every page of DescribeInstances).',
  async run(ctx) {
    const all: Instance[] = [];
    for await (const page of paginateDescribeInstances({ client: await ctx.ec2() }, {})) {
      for (const r of page.Reservations ?? []) all.push(...(r.Instances ?? []));
    }
    printInstances(ctx, all);
  },
});

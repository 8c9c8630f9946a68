#!/usr/bin/env node
import { DescribeKeyPairsCommand } from '@aws-sdk/client-ec2';
import { formatTable } from '../table.js';
import { main } from '../run.js';

main({
  name: 'econe-describe-keypairs',
  description: 'Lists your key pairs and their fingerprints.',
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new DescribeKeyPairsCommand({}));
    const lines = formatTable(
      [
        { header: 'keyName', width: 15, value: (k) => k.KeyName },
        { header: 'keyFingerprint', width: 60, value: (k) => k.KeyFingerprint },
      ],
      out.KeyPairs ?? [],
      ctx.options.headers === true,
    );
    for (const l of lines) ctx.print(l);
  },
});

#!/usr/bin/env node
import { CreateKeyPairCommand } from '@aws-sdk/client-ec2';
import { main } from '../run.js';

main({
  name: 'econe-create-keypair',
  description: 'Creates a key pair: prints its name, fingerprint and private key (kept nowhere else).',
  args: [{ name: 'KEY-NAME' }],
  async run(ctx) {
    const out = await (await ctx.ec2()).send(new CreateKeyPairCommand({ KeyName: ctx.args[0]! }));
    ctx.print(`keyName: ${out.KeyName}`);
    ctx.print(`Fingerprint: ${out.KeyFingerprint}`);
    ctx.print('Private Key:');
    ctx.print(String(out.KeyMaterial ?? '').trimEnd());
  },
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseObject, VirtualNetwork } from '../../../oca/index.js';
import { Template } from '../../../common/template/index.js';
import { Ec2Error } from '../errors.js';
import { allocationId, associationId, freeAddresses, heldIps, recordsOf, recordsUpdate, runScript } from './addresses.js';

const vnet = (template: string, leases: string) =>
  parseObject(VirtualNetwork, `<VNET><ID>4</ID><TEMPLATE>${template}</TEMPLATE><AR_POOL><AR><AR_ID>0</AR_ID><IP>192.0.2.1</IP><SIZE>4</SIZE><LEASES>${leases}</LEASES></AR><AR><AR_ID>1</AR_ID><MAC>02:00:00:00:00:01</MAC><SIZE>9</SIZE></AR></AR_POOL></VNET>`);

test('free addresses skip every lease; held ones are the leases of VM -1; ETHER ranges have none', () => {
  const v = vnet('', '<LEASE><IP>192.0.2.1</IP><VM>-1</VM></LEASE><LEASE><IP>192.0.2.3</IP><VM>7</VM></LEASE>');
  assert.deepEqual(freeAddresses(v), ['192.0.2.2', '192.0.2.4']);
  assert.deepEqual(freeAddresses(v, 1), ['192.0.2.2']);
  assert.deepEqual([...heldIps(v)], ['192.0.2.1']);
  assert.equal(allocationId('192.0.2.1'), 'eipalloc-3221225985');
  assert.equal(associationId('10.0.0.1'), 'eipassoc-167772161');
});

test('records round-trip through the MERGE update; none left removes the attribute', () => {
  const records = [
    { ip: '192.0.2.1', uid: 3, domain: 'standard' },
    { ip: '192.0.2.2', uid: 4, domain: 'vpc', vmId: 9, privateIp: '10.0.0.5' },
  ];
  const stored = Template.parseTextOrXml(recordsUpdate(records)).toXml();
  const read = recordsOf(vnet(stored.replace(/^<TEMPLATE>|<\/TEMPLATE>$/g, ''), ''));
  assert.deepEqual(JSON.parse(JSON.stringify(read)), records);
  const empty = Template.parseTextOrXml(recordsUpdate([]));
  assert.equal(empty.getAll('EC2_ADDRESSES').length, 1);
  assert.equal((empty.getVector('EC2_ADDRESSES') ?? new Map([['x', '']])).size, 0, 'an empty vector: MERGE deletes the records');
});

test('scripts get their arguments as a list (no shell); a failure carries the end of its stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eip-script-'));
  try {
    const log = join(dir, 'log');
    const ok = join(dir, 'ok');
    writeFileSync(ok, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${log}'\n`);
    const bad = join(dir, 'bad');
    writeFileSync(bad, '#!/bin/sh\necho "no route to 192.0.2.1" >&2\nexit 3\n');
    chmodSync(ok, 0o755);
    chmodSync(bad, 0o755);
    await runScript(ok, ['192.0.2.1', '$(touch x); `id`', 'a b'], 'associate');
    assert.deepEqual(readFileSync(log, 'utf8').split('\n'), ['192.0.2.1', '$(touch x); `id`', 'a b', '']);
    await assert.rejects(runScript(bad, ['192.0.2.1'], 'disassociate'), (e: unknown) => e instanceof Ec2Error && e.code === 'InternalError' && /disassociate script failed: no route to 192\.0\.2\.1/.test(e.message));
    await assert.rejects(runScript(join(dir, 'missing'), [], 'associate'), (e: unknown) => e instanceof Ec2Error && /associate script failed/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

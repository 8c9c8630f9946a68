/**
 * Quota counters cannot drift: `onedb fsck` (oned stopped) recomputes them from the VMs, images
 * and leases, reports each difference and fixes it, and oned does the same at each start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { childText, type XmlNode } from '../../src/common/xml-tree.js';
import { openDatabase } from '../../src/db/index.js';
import type { Oned } from './harness.js';
import { addUser, databaseOf, must, okId, okXml, onEveryBackend } from './api-helpers.js';

const ONEDB = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/oned/onedb.js');

function onedb(oned: Oned, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [ONEDB, ...args], { env: { ...process.env, ONE_LOCATION: oned.location }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const vmQuota = (user: XmlNode, metric: string) => childText(must(must(user, 'VM_QUOTA'), 'VM'), `${metric}_USED`);

/** Rewrites a user's stored counters behind oned's back (oned stopped), as a bug or a bad hand edit would. */
async function tamper(oned: Oned, uid: number): Promise<void> {
  const db = await openDatabase(databaseOf(oned));
  try {
    // The counters are zone-local: table user_quotas (see docs/zones.md).
    const [row] = await db.query('SELECT * FROM user_quotas WHERE oid = ?', [uid]);
    const body = String(row!.body).replace(/<VMS_USED>\d+<\/VMS_USED>/, '<VMS_USED>7</VMS_USED>').replace(/<MEMORY_USED>\d+<\/MEMORY_USED>/, '<MEMORY_USED>1</MEMORY_USED>');
    await db.write([{ kind: 'upsert', table: 'user_quotas', row: { ...row!, body } }]);
  } finally {
    await db.close();
  }
}

onEveryBackend('quota counters checked against the objects', (get) => {
  test('onedb fsck reports and fixes drifted counters; oned fixes them at start too', async () => {
    const oned = get();
    const bob = await addUser(oned, 'fsck-bob');
    for (const n of [1, 2]) await okId(oned, 'one.vm.allocate', [`NAME = "fsck-${n}"\nCPU = 0.5\nMEMORY = 64`], bob.session);
    const before = await okXml(oned, 'one.user.info', [bob.id]);
    assert.deepEqual([vmQuota(before, 'VMS'), vmQuota(before, 'MEMORY')], ['2', '128']);

    assert.equal(await oned.signal('SIGTERM'), 0);
    const clean = onedb(oned, 'fsck', '--dry-run');
    assert.equal(clean.code, 0, clean.out);
    assert.match(clean.out, /Quota counters match the objects\./);

    await tamper(oned, bob.id);
    const dry = onedb(oned, 'fsck', '--dry-run');
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, new RegExp(`User \\[${bob.id}\\] VM VMS_USED: stored 7, objects add up to 2`));
    assert.match(dry.out, new RegExp(`User \\[${bob.id}\\] VM MEMORY_USED: stored 1, objects add up to 128`));
    assert.match(dry.out, /2 quota counters differ \(not fixed: --dry-run\)/);
    const fixed = onedb(oned, 'fsck');
    assert.match(fixed.out, /2 quota counters fixed\./);
    assert.match(onedb(oned, 'fsck').out, /Quota counters match the objects\./);

    // oned running: onedb refuses.
    await oned.launch();
    const busy = onedb(oned, 'fsck');
    assert.equal(busy.code, 1);
    assert.match(busy.out, /oned is running/);
    const after = await okXml(oned, 'one.user.info', [bob.id]);
    assert.deepEqual([vmQuota(after, 'VMS'), vmQuota(after, 'MEMORY')], ['2', '128']);

    // A start mends drifted counters by itself, and says so in oned.log.
    assert.equal(await oned.signal('SIGTERM'), 0);
    await tamper(oned, bob.id);
    await oned.launch();
    const mended = await okXml(oned, 'one.user.info', [bob.id]);
    assert.deepEqual([vmQuota(mended, 'VMS'), vmQuota(mended, 'MEMORY')], ['2', '128']);
    assert.match(readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8'), /Quota counter fixed: User \[\d+\] VM VMS_USED: stored 7, objects add up to 2/);
    const usage = onedb(oned, 'nonsense');
    assert.equal(usage.code, 2);
  });
});

/**
 * Fault injection: `$ONE_LOCATION/var` (SQLite database, oned.log, VM directories) on a small
 * tmpfs that the test fills up. What must hold: oned keeps serving reads; writes fail with a
 * clear error and what was acknowledged is never lost (checked after a kill -9 and restart); the
 * database passes PRAGMA integrity_check; an unwritable log does not take oned down; once space
 * is freed writes work again and the log says what it lost. Needs root (mount): skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { all, assertServing, okId, okXml, sleep } from './api-helpers.js';

const SIZE_MB = 24;
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Fills the file system of `dir` with `file` until the kernel says ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1 << 20, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // The last partial blocks, so not even a page is left.
  const small = Buffer.alloc(512, 1);
  try {
    for (;;) writeSync(fd, small);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

function integrity(dbFile: string): string {
  const db = new Sqlite(dbFile, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

describe('a full disk under var/', { skip: canMount ? false : 'needs root to mount a tmpfs' }, () => {
  let oned: Oned | undefined;
  let varDir = '';
  const acknowledged: number[] = [];
  let vm = -1;
  let host = -1;
  const filler = () => join(varDir, 'filler');

  before(async () => {
    oned = await Oned.start({
      backend: 'sqlite',
      conf: 'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n',
      prepare: (location) => {
        varDir = join(location, 'var');
        mkdirSync(varDir, { recursive: true });
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m`, 'nebula-fault-disk', varDir]);
      },
    });
  });
  after(async () => {
    await oned?.signal('SIGTERM');
    if (varDir) execFileSync('umount', ['-l', varDir]);
    if (oned) rmSync(oned.location, { recursive: true, force: true });
  });

  test('full: reads served, writes refused with a clear error, nothing acknowledged lost, the database intact', async () => {
    const o = oned!;
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    host = await okId(o, 'one.host.allocate', ['disk-host', 'dummy', 'dummy', -1]);
    const before = await okId(o, 'one.template.allocate', ['NAME = "before-full"\nCPU = 1\nMEMORY = 64']);
    acknowledged.push(before);
    vm = await okId(o, 'one.vm.allocate', ['CPU = 0.1\nMEMORY = 64']);
    fill(filler());
    assert.ok(statfsSync(varDir).bavail === 0, 'the file system is full');

    // Writes until one is refused: each is either refused with the reason or acknowledged.
    let refusal = '';
    for (let i = 0; i < 400 && refusal === ''; i++) {
      const r = await o.call('one.template.allocate', [`NAME = "full-${i}"\nCPU = 1\nMEMORY = 64\nDESCRIPTION = "${'x'.repeat(2000)}"`]);
      if (r[0] === true) acknowledged.push(Number(r[1]));
      else refusal = String(r[1]);
    }
    assert.match(refusal, /disk|full|space/i, 'a write on a full disk is refused, saying why');
    const refusedAgain = await o.call('one.vm.allocate', ['CPU = 1\nMEMORY = 64']);
    assert.equal(refusedAgain[0], false);

    // A VM deployed now: refused too, and it stays PENDING (deployed once space is back).
    const deploy = await o.call('one.vm.deploy', [vm, host]);
    assert.deepEqual([deploy[0], String(deploy[1])], [false, '[one.vm.deploy] Internal error: database or disk is full']);
    // Reads, while oned's log cannot be written either.
    await assertServing(o);
    const pool = await okXml(o, 'one.templatepool.info', [-2, -1, -1]);
    const listed = all(pool, 'VMTEMPLATE').map((t) => childInt(t, 'ID'));
    for (const id of acknowledged) assert.ok(listed.includes(id), `template ${id} was acknowledged, so it is listed`);
    assert.equal(childText(await okXml(o, 'one.host.info', [host]), 'NAME'), 'disk-host');
    await sleep(1500); // monitoring rounds and their log lines run against the full disk
    await assertServing(o);
    const pending = await okXml(o, 'one.vm.info', [vm]);
    assert.deepEqual([childInt(pending, 'STATE'), childInt(pending, 'LCM_STATE')], [1, 0], 'the refused deploy left the VM PENDING');
    assert.equal(integrity(join(varDir, 'one.db')), 'ok');
  });

  test('space freed: writes work again, the log says what it lost; after kill -9 every acknowledged write is there', async () => {
    const o = oned!;
    rmSync(filler());
    let id = -1;
    for (let i = 0; i < 50 && id < 0; i++) {
      const r = await o.call('one.template.allocate', [`NAME = "after-free-${i}"\nCPU = 1\nMEMORY = 64`]);
      if (r[0] === true) id = Number(r[1]);
      else await sleep(200);
    }
    assert.ok(id >= 0, 'a write succeeds once space is freed');
    acknowledged.push(id);
    await okId(o, 'one.vm.deploy', [vm, host]);
    const end0 = Date.now() + 10_000;
    while (childInt(await okXml(o, 'one.vm.info', [vm]), 'LCM_STATE') !== 3 && Date.now() < end0) await sleep(100);
    assert.equal(childInt(await okXml(o, 'one.vm.info', [vm]), 'LCM_STATE'), 3, 'the VM runs once space is back');
    // The log file is opened again within 5 s of the first line logged after the failure.
    const end = Date.now() + 15_000;
    let log = '';
    while (Date.now() < end) {
      await okXml(o, 'one.templatepool.info', [-2, -1, -1]);
      log = readFileSync(join(varDir, 'oned.log'), 'utf8');
      if (/log lines or more could not be written: .*ENOSPC/.test(log)) break;
      await sleep(500);
    }
    assert.match(log, /log lines or more could not be written: .*ENOSPC/);

    assert.equal(await o.signal('SIGKILL'), 'SIGKILL');
    assert.equal(integrity(join(varDir, 'one.db')), 'ok');
    await o.launch();
    const pool = await okXml(o, 'one.templatepool.info', [-2, -1, -1]);
    const listed = all(pool, 'VMTEMPLATE').map((t) => childInt(t, 'ID'));
    for (const a of acknowledged) assert.ok(listed.includes(a), `template ${a} survives the restart`);
    await okId(o, 'one.template.allocate', ['NAME = "after-restart"\nCPU = 1\nMEMORY = 64']);
  });
});

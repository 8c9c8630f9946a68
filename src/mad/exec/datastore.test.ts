import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionData, binDriver, tempDir, writeScript } from '../testing.js';

function ds(fields: string): string {
  return actionData(`<DS_DRIVER_ACTION_DATA><IMAGE><ID>3</ID><PATH>/tmp/x.img</PATH></IMAGE><DATASTORE>${fields}</DATASTORE></DS_DRIVER_ACTION_DATA>`);
}

test('datastore actions: dummy built in, scripts get the id and the action data on stdin', async () => {
  const remotes = tempDir('ds-remotes');
  // Prints where it would store the image, after checking its stdin is the request's data.
  writeScript(join(remotes, 'datastore/t/cp'), '#!/bin/sh\nbase64 -d | grep -q "<PATH>/tmp/x.img</PATH>" || exit 1\necho "/store/$1 qcow2"\n');
  writeScript(join(remotes, 'datastore/t/monitor'), '#!/bin/sh\necho USED_MB=1\necho TOTAL_MB=3\necho FREE_MB=2\n');
  writeScript(join(remotes, 'tm/t/monitor'), '#!/bin/sh\necho USED_MB=5\n');
  const d = binDriver('one_datastore', ['-d', 'dummy,t', '-s', 't,dummy'], { env: { ...process.env, ONE_REMOTES_DIR: remotes } });
  await d.start();
  try {
    const dummy = ds('<DS_MAD>dummy</DS_MAD><TM_MAD>dummy</TM_MAD><TYPE>0</TYPE>');
    assert.equal((await d.request('CP', 3, [dummy])).info, 'dummy_path raw');
    assert.equal((await d.request('STAT', 3, [dummy])).info, '1024');
    assert.equal((await d.request('MKFS', 3, [dummy])).info, 'dummy_path');
    assert.deepEqual(await d.request('RM', 3, [dummy]), { ok: true, info: '', logs: [] });
    const monitor = Buffer.from((await d.request('MONITOR', 1, [dummy])).info, 'base64').toString();
    assert.match(monitor, /^USED_MB=0\nTOTAL_MB=\d+\nFREE_MB=\d+\n$/);

    const real = ds('<DS_MAD>t</DS_MAD><TM_MAD>t</TM_MAD><TYPE>0</TYPE>');
    assert.deepEqual(await d.request('CP', 3, [real]), { ok: true, info: '/store/3 qcow2', logs: [] });
    assert.equal(Buffer.from((await d.request('MONITOR', 1, [real])).info, 'base64').toString(), 'USED_MB=1\nTOTAL_MB=3\nFREE_MB=2');
    const system = ds('<DS_MAD>-</DS_MAD><TM_MAD>t</TM_MAD><TYPE>1</TYPE>');
    assert.equal(Buffer.from((await d.request('MONITOR', 0, [system])).info, 'base64').toString(), 'USED_MB=5');

    const other = await d.request('CP', 3, [ds('<DS_MAD>ceph</DS_MAD>')]);
    assert.deepEqual([other.ok, other.info], [false, "Datastore driver 'ceph' not available"]);
    const sys = await d.request('MONITOR', 0, [ds('<TM_MAD>ssh</TM_MAD><TYPE>1</TYPE>')]);
    assert.deepEqual([sys.ok, sys.info], [false, "System datastore driver 'ssh' not available"]);
    const broken = await d.request('CP', 3, ['PGJyb2tlbg==']);
    assert.equal(broken.ok, false);
    assert.match(broken.info, /^Cannot decode driver action data/);
  } finally {
    await d.stop();
  }
});

test('datastore actions with -a: the dummy\'s outcomes and delays are scripted; a delayed one ends when the driver stops', async () => {
  const dir = tempDir('ds-actions');
  writeFileSync(join(dir, 'cp'), 'failure\nsuccess 60\n');
  const d = binDriver('one_datastore', ['-d', 'dummy', '-a', dir]);
  await d.start();
  const dummy = ds('<DS_MAD>dummy</DS_MAD><TM_MAD>dummy</TM_MAD><TYPE>0</TYPE>');
  assert.deepEqual(await d.request('CP', 3, [dummy]), { ok: false, info: 'Scripted failure of CP', logs: [] });
  assert.equal((await d.request('MKFS', 3, [dummy])).info, 'dummy_path', 'unscripted actions answer at once');
  const slow = d.request('CP', 4, [dummy]);
  const started = Date.now();
  await d.stop();
  assert.ok(Date.now() - started < 4000, `the driver exits without waiting for the delay (${Date.now() - started} ms)`);
  assert.equal((await slow).ok, false);
});

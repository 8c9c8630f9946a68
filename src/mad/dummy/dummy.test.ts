import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionData, binDriver, tempDir } from '../testing.js';
import { DUMMY_VMM_ACTIONS } from './vmm.js';
import { dummyHostTemplate, parseExtraAttributes } from './im.js';

test('dummy VMM: every protocol action succeeds, with a deploy id, poll data and snapshot ids', async () => {
  const vmm = binDriver('one_vmm_dummy', []);
  await vmm.start();
  try {
    const replies = await Promise.all(DUMMY_VMM_ACTIONS.map((a) => vmm.request(a, 42, ['PFZNPjwvVk0+'])));
    assert.ok(replies.every((r) => r.ok));
    const info = Object.fromEntries(DUMMY_VMM_ACTIONS.map((a, i) => [a, replies[i]!.info]));
    assert.equal(info.DEPLOY, 'one-42');
    assert.equal(info.POLL, 'STATE=a CPU=0 MEMORY=0 NETRX=0 NETTX=0');
    assert.equal(info.SNAPSHOTCREATE, 'dummy-snap');
    assert.equal(info.SHUTDOWN, '');
    const sg = actionData('<VMM_DRIVER_ACTION_DATA><SECURITY_GROUP_ID>5</SECURITY_GROUP_ID></VMM_DRIVER_ACTION_DATA>');
    assert.equal((await vmm.request('UPDATESG', 42, [sg])).info, '5');
  } finally {
    await vmm.stop();
  }
});

test('dummy drivers with -a: outcomes scripted per action, in turn, including no answer at all', async () => {
  const actions = tempDir('dummy-actions');
  writeFileSync(join(actions, 'deploy'), 'failure\nsuccess\n');
  writeFileSync(join(actions, 'shutdown'), '-\n');
  writeFileSync(join(actions, 'monitor'), '0\n');
  const vmm = binDriver('one_vmm_dummy', ['-a', actions]);
  const im = binDriver('one_im_dummy', ['-a', actions]);
  await Promise.all([vmm.start(), im.start()]);
  try {
    const deploys = [];
    for (let i = 0; i < 3; i++) deploys.push(await vmm.request('DEPLOY', i, ['x']));
    assert.deepEqual(deploys.map((r) => [r.ok, r.info]), [
      [false, 'Scripted failure of DEPLOY'],
      [true, 'one-1'],
      [false, 'Scripted failure of DEPLOY'],
    ]);
    assert.deepEqual(await vmm.request('SHUTDOWN', 1, ['x'], { timeoutMs: 200 }), { ok: false, info: 'Timeout after 0.2 s', logs: [] });
    assert.equal((await vmm.request('CANCEL', 1, ['x'])).ok, true);
    assert.equal((await im.request('MONITOR', 0, ['h0', '-', '0'])).ok, false);
    writeFileSync(join(actions, 'monitor'), 'success\n');
    assert.equal((await im.request('MONITOR', 0, ['h0', '-', '0'])).ok, true);
  } finally {
    await Promise.all([vmm.stop(), im.stop()]);
  }
});

test('dummy IM: default capacity and bad capacity options refused before INIT', async () => {
  const im = binDriver('one_im_dummy', []);
  await im.start();
  const template = Buffer.from((await im.request('MONITOR', 1, ['h1', '-', '0'])).info, 'base64').toString();
  await im.stop();
  for (const line of ['TOTALCPU=800', 'FREECPU=800', 'USEDCPU=0', 'TOTALMEMORY=16777216', 'USEDMEMORY=0', 'NETRX=0', 'CPUSPEED=2200']) {
    assert.ok(template.split('\n').includes(line), line);
  }
  const stderr: string[] = [];
  await assert.rejects(binDriver('one_im_dummy', ['-c', 'lots'], { onStderr: (l) => stderr.push(l) }).start(), /exited \(code 1\)/);
  assert.deepEqual(stderr, ["one_im_dummy: -c expects an integer >= 1, got 'lots'"]);
});

test('the dummy IM reports a loaded host and extra attributes when asked (-u, -e)', () => {
  const t = dummyHostTemplate('node 1', { cpu: 800, memoryMb: 1024, usedPercent: 75, extra: parseExtraAttributes('CPUSPEED=3000, hypervisor=kvm') });
  assert.match(t, /^USEDCPU=600$/m);
  assert.match(t, /^FREECPU=200$/m);
  assert.match(t, /^CPUSPEED=3000$/m);
  assert.match(t, /^HYPERVISOR=kvm$/m);
  assert.equal(t.match(/^HYPERVISOR=/gm)?.length, 1, 'an extra attribute replaces the dummy one');
  assert.match(t, /^HOSTNAME="node 1"$/m);
  assert.throws(() => parseExtraAttributes('CPUSPEED'), /-e: "CPUSPEED" is not ATTRIBUTE=VALUE/);
  assert.throws(() => parseExtraAttributes('1X=2'), /is not ATTRIBUTE=VALUE/);
});

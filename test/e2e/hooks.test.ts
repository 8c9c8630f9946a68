/** Hooks: HOST_HOOK (and later VM_HOOK) commands run by oned's hook driver on state changes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, parseXmlTree, childText } from '../../src/common/xml-tree.js';
import { FEATURE_BACKENDS, Oned } from './harness.js';
import { sleep } from './api-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hooks-'));
const actions = mkdtempSync(join(tmpdir(), 'hooks-im-'));
const record = join(dir, 'record');
// Appends "<event> <args...>" to <dir>/events, one line per run.
writeFileSync(record, `#!/bin/sh\nevent=$1; shift\necho "$event $*" >> ${join(dir, 'events')}\n`);
chmodSync(record, 0o755);

const CONF = `HOST_MONITORING_INTERVAL = 1
HOST_MONITORING_TIMEOUT = 2
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
IM_MAD = [ NAME = "scripted", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-a ${actions}" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
HOST_HOOK = [ NAME = "created", ON = "CREATE", COMMAND = "${record}", ARGUMENTS = "create $ID $TEMPLATE" ]
HOST_HOOK = [ NAME = "disabled", ON = "DISABLE", COMMAND = "${record}", ARGUMENTS = "disable $HID" ]
HOST_HOOK = [ NAME = "error", ON = "ERROR", COMMAND = "${record}", ARGUMENTS = "error $ID" ]
VM_HOOK = [ NAME = "vm-create", ON = "CREATE", COMMAND = "${record}", ARGUMENTS = "vm-create $ID" ]
VM_HOOK = [ NAME = "vm-running", ON = "RUNNING", COMMAND = "${record}", ARGUMENTS = "vm-running $ID $TEMPLATE" ]
VM_HOOK = [ NAME = "vm-done", ON = "DONE", COMMAND = "${record}", ARGUMENTS = "vm-done $VMID $PREV_STATE $PREV_LCM_STATE" ]
VM_HOOK = [ NAME = "vm-poff", ON = "CUSTOM", STATE = "POWEROFF", COMMAND = "${record}", ARGUMENTS = "vm-poweroff $ID" ]
`;

/** The recorded lines, waiting until `count` of them match `re`. */
async function events(re: RegExp, count = 1, seconds = 10): Promise<string[]> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const lines = existsSync(join(dir, 'events')) ? readFileSync(join(dir, 'events'), 'utf8').split('\n').filter((l) => re.test(l)) : [];
    if (lines.length >= count) return lines;
    if (Date.now() > end) throw new Error(`no ${count} events matching ${re} in ${seconds} s`);
    await sleep(100);
  }
}

for (const backend of FEATURE_BACKENDS) {
  describe(`host hooks on ${backend}`, () => {
    let oned: Oned;
    before(async () => {
      writeFileSync(join(dir, 'events'), '');
      oned = await Oned.start({ backend, conf: CONF });
    });
    after(() => oned?.stop());

    test('CREATE runs with the id and the host XML (base64) as separate arguments', async () => {
      const id = (await oned.ok('one.host.allocate', ['hook-a', 'dummy', 'dummy', -1])) as number;
      const [line] = await events(new RegExp(`^create ${id} `));
      const xml = Buffer.from(line!.split(' ')[2]!, 'base64').toString('utf8');
      assert.equal(childText(parseXmlTree(xml), 'NAME'), 'hook-a');
    });

    test('DISABLE runs once when a host is disabled, not again when it already was', async () => {
      const id = (await oned.ok('one.host.allocate', ['hook-b', 'dummy', 'dummy', -1])) as number;
      await oned.ok('one.host.status', [id, 1]);
      await oned.ok('one.host.status', [id, 1]);
      await events(new RegExp(`^disable ${id}$`));
      await sleep(500);
      assert.equal((await events(new RegExp(`^disable ${id}$`))).length, 1);
    });

    test('ERROR runs when monitoring fails, once per entry into ERROR', async () => {
      writeFileSync(join(actions, 'monitor'), 'failure\n');
      const id = (await oned.ok('one.host.allocate', ['hook-c', 'scripted', 'dummy', -1])) as number;
      await events(new RegExp(`^error ${id}$`));
      await sleep(2500); // two more failed rounds: still ERROR, no new event
      assert.equal((await events(new RegExp(`^error ${id}$`))).length, 1);
      writeFileSync(join(actions, 'monitor'), 'success\n');
    });
  });
}

for (const backend of FEATURE_BACKENDS) {
  describe(`VM hooks on ${backend}`, () => {
    let oned: Oned;
    before(async () => {
      writeFileSync(join(dir, 'events'), ''); // ids start again on each backend
      oned = await Oned.start({ backend, conf: CONF });
    });
    after(() => oned?.stop());

    test('CREATE, RUNNING, a CUSTOM state and DONE run once each, in order, with the VM', async () => {
      const host = (await oned.ok('one.host.allocate', ['hook-vm-host', 'dummy', 'dummy', -1])) as number;
      const ds = (await oned.ok('one.datastore.allocate', ['NAME = "hook-sys"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1])) as number;
      const id = (await oned.ok('one.vm.allocate', ['NAME = "hooked"\nCPU = 0.1\nMEMORY = 16', false])) as number;
      await events(new RegExp(`^vm-create ${id}$`));
      await oned.ok('one.vm.deploy', [id, host, false, ds]);
      const [running] = await events(new RegExp(`^vm-running ${id} `));
      const xml = Buffer.from(running!.split(' ')[2]!, 'base64').toString('utf8');
      assert.equal(childText(parseXmlTree(xml), 'LCM_STATE'), '3', 'the XML of the VM as it entered RUNNING');
      await oned.ok('one.vm.action', ['poweroff-hard', id]);
      await events(new RegExp(`^vm-poweroff ${id}$`));
      await oned.ok('one.vm.action', ['terminate-hard', id]);
      // DONE from POWEROFF goes through EPILOG: the previous state is ACTIVE (3), LCM EPILOG (11).
      const [done] = await events(new RegExp(`^vm-done ${id} `));
      assert.equal(done, `vm-done ${id} 3 11`);
      const order = readFileSync(join(dir, 'events'), 'utf8').split('\n').filter((l) => l.startsWith('vm-') && l.split(' ')[1] === String(id)).map((l) => l.split(' ')[0]);
      assert.deepEqual(order, ['vm-create', 'vm-running', 'vm-poweroff', 'vm-done']);
    });
  });
}

for (const backend of FEATURE_BACKENDS) {
  describe(`the host failure hook (ft/host_error) on ${backend}`, () => {
    const failing = mkdtempSync(join(tmpdir(), 'hooks-ft-'));
    let oned: Oned;
    before(async () => {
      oned = await Oned.start({
        backend,
        conf: `HOST_MONITORING_INTERVAL = 1
HOST_MONITORING_TIMEOUT = 2
IM_MAD = [ NAME = "flaky", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-a ${failing}" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
HOST_HOOK = [ NAME = "error", ON = "ERROR", COMMAND = "ft/host_error", ARGUMENTS = "$ID -r" ]
`,
      });
    });
    after(() => oned?.stop());

    test('when a host goes ERROR its VMs are recreated: PENDING again, off the failed host', async () => {
      const host = (await oned.ok('one.host.allocate', ['ft-node', 'flaky', 'dummy', -1])) as number;
      const ds = (await oned.ok('one.datastore.allocate', ['NAME = "ft-sys"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1])) as number;
      const vms: number[] = [];
      for (const n of [1, 2]) {
        const id = (await oned.ok('one.vm.allocate', [`NAME = "ft-${n}"\nCPU = 0.1\nMEMORY = 16`, false])) as number;
        await oned.ok('one.vm.deploy', [id, host, false, ds]);
        vms.push(id);
      }
      const state = async (id: number) => {
        const vm = parseXmlTree(String(await oned.ok('one.vm.info', [id])));
        return `${childText(vm, 'STATE')}/${childText(vm, 'LCM_STATE')}`;
      };
      const until = async (what: string, check: () => Promise<boolean>) => {
        const end = Date.now() + 20_000;
        while (!(await check())) {
          if (Date.now() > end) throw new Error(`${what} did not happen; VMs ${(await Promise.all(vms.map(state))).join(' ')}`);
          await sleep(100);
        }
      };
      await until('RUNNING', async () => (await Promise.all(vms.map(state))).every((s) => s === '3/3'));
      writeFileSync(join(failing, 'monitor'), 'failure\n');
      await until('recreated (PENDING)', async () => (await Promise.all(vms.map(state))).every((s) => s === '1/0'));
      // The hook's outcome is logged when it exits, a moment after its last call.
      const done = new RegExp(`Success executing Hook: error: host ${host}: recreated VMs ${vms.join(',')}`);
      await until('the hook logged', async () => done.test(readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8')));
      const h = parseXmlTree(String(await oned.ok('one.host.info', [host])));
      assert.equal(childText(h, 'STATE'), '3');
      assert.deepEqual(child(h, 'VMS')?.children.map((c) => c.text) ?? [], [], 'the failed host keeps no VM');
    });
  });
}

describe('hook configuration', () => {
  test('oned refuses to start with a hook it cannot run', async () => {
    await assert.rejects(Oned.start({ backend: 'sqlite', conf: 'HOST_HOOK = [ NAME = "x", ON = "BOOM", COMMAND = "a" ]' }), /HOST_HOOK "x": ON = "BOOM"/);
    await assert.rejects(Oned.start({ backend: 'sqlite', conf: 'VM_HOOK = [ NAME = "y", ON = "CUSTOM", STATE = "ACTIVE", LCM_STATE = "RUNING", COMMAND = "a" ]' }), /VM_HOOK "y": unknown LCM_STATE "RUNING"/);
  });
});

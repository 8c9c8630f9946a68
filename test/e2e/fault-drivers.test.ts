/**
 * Fault injection: drivers that hang, die, are killed -9 or answer garbage (test/e2e/fault-driver.ts
 * wraps the real dummy drivers and misbehaves as its control file says). What must hold: oned
 * neither crashes nor stops answering its API; every driver call ends, in a failure state with
 * the reason (VM: BOOT_FAILURE with USER_TEMPLATE/ERROR and a vm.log line; host: ERROR; image:
 * ERROR); a dead driver is restarted and the next action works; garbage is logged and ignored
 * and never changes a VM, host or image.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { all, assertServing, must, okId, okXml, sleep, userAttr, vmInfo } from './api-helpers.js';

const S = { ACTIVE: 3, DONE: 6 } as const;
const L = { BOOT: 2, RUNNING: 3, UNKNOWN: 16, BOOT_FAILURE: 36 } as const;
const HOST = { MONITORED: 2, ERROR: 3 } as const;
const IMAGE = { READY: 1, ERROR: 5 } as const;
/** VM_MAD, TM_MAD and DATASTORE_MAD TIMEOUT, HOST_MONITORING_TIMEOUT (s). */
const TIMEOUT = 3;

const HERE = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const BIN = resolve(HERE, '../../src/mad/bin');
const DIR = mkdtempSync(join(tmpdir(), 'nebula-faults-'));
const WRAPPER = join(DIR, 'fault-driver');
writeFileSync(WRAPPER, `#!/bin/sh\nexec "${process.execPath}" "${join(HERE, 'fault-driver.js')}" "$@"\n`, { mode: 0o755 });
const control = (family: string) => join(DIR, `${family}.json`);
/** Sets the faults of a driver family's next requests (ACTION → fault, see fault-driver.ts). */
const inject = (family: string, faults: Record<string, string> = {}) => writeFileSync(control(family), JSON.stringify(faults));
for (const f of ['vmm', 'im', 'ds']) inject(f);

const CONF = `
HOST_MONITORING_INTERVAL = 1
HOST_MONITORING_TIMEOUT = ${TIMEOUT}
IM_MAD = [ NAME = "faulty", EXECUTABLE = "${WRAPPER}", ARGUMENTS = "${control('im')} ${BIN}/one_im_dummy.js" ]
VM_MAD = [ NAME = "faulty", EXECUTABLE = "${WRAPPER}", ARGUMENTS = "${control('vmm')} ${BIN}/one_vmm_dummy.js", TIMEOUT = ${TIMEOUT} ]
DATASTORE_MAD = [ EXECUTABLE = "${WRAPPER}", ARGUMENTS = "${control('ds')} ${BIN}/one_datastore.js -t 15 -d dummy,fs -s shared,ssh,dummy", TIMEOUT = ${TIMEOUT} ]
`;

/** Polls `read` until `check` holds; fails with `what` and the last value's description. */
async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, describe: (v: T) => string, seconds = 20): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > end) assert.fail(`${what}: not seen in ${seconds} s (${describe(v)})`);
    await sleep(100);
  }
}

const vmState = (v: XmlNode) => `state ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}, ERROR "${userAttr(v, 'ERROR')}"`;

describe('faulty drivers', () => {
  let started: Oned | undefined;
  let hid = -1;
  const oned = () => started!;
  const vmIn = (id: number, lcm: number, state: number = S.ACTIVE) =>
    until(`VM ${id} in ${state}/${lcm}`, () => vmInfo(oned(), id), (v) => childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm, vmState);
  const hostIn = (state: number, seconds = 20) =>
    until(`host in ${state}`, () => okXml(oned(), 'one.host.info', [hid]), (h) => childInt(h, 'STATE') === state, (h) => `state ${childInt(h, 'STATE')}, ERROR "${childText(must(h, 'TEMPLATE'), 'ERROR')}"`, seconds);
  const vmLog = (id: number) => {
    const f = join(oned().location, 'var', 'vms', String(id), 'vm.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  const onedLog = () => readFileSync(join(oned().location, 'var', 'oned.log'), 'utf8');
  /** A VM deployed on the faulty host; waits until it leaves BOOT's first step. */
  const deploy = async () => {
    const id = await okId(oned(), 'one.vm.allocate', ['CPU = 0.1\nMEMORY = 64']);
    await okId(oned(), 'one.vm.deploy', [id, hid]);
    return id;
  };
  /** The VM fails to boot with `reason` in USER_TEMPLATE/ERROR and in vm.log; a retry then runs it. */
  const failsThenRetries = async (id: number, reason: RegExp) => {
    const failed = await vmIn(id, L.BOOT_FAILURE);
    assert.match(userAttr(failed, 'ERROR'), reason);
    await until(`vm.log of ${id} says why`, async () => vmLog(id), (t) => reason.test(t), (t) => t.slice(-500), 5);
    await assertServing(oned());
    inject('vmm');
    await okId(oned(), 'one.vm.recover', [id, 2]);
    const running = await vmIn(id, L.RUNNING);
    assert.equal(childText(running, 'DEPLOY_ID'), `one-${id}`);
  };

  before(async () => {
    started = await Oned.start({ backend: 'sqlite', conf: CONF });
    await okId(oned(), 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    hid = await okId(oned(), 'one.host.allocate', ['faulty-host', 'faulty', 'faulty', -1]);
    await hostIn(HOST.MONITORED);
  });
  after(async () => {
    await started?.stop();
    rmSync(DIR, { recursive: true, force: true });
  });

  test('an action never answered times out: BOOT_FAILURE with the reason, the API answers meanwhile', async () => {
    inject('vmm', { DEPLOY: 'hang' });
    const id = await deploy();
    await vmIn(id, L.BOOT);
    const t0 = Date.now();
    await assertServing(oned());
    assert.ok(Date.now() - t0 < 2000, 'the API answers while a driver call hangs');
    await failsThenRetries(id, /Timeout after 3 s: driver faulty did not answer DEPLOY/);
  });

  test('a driver that exits or is killed -9 mid-action: the VM fails with why, the driver restarts, the retry runs', async () => {
    inject('vmm', { DEPLOY: 'exit' });
    await failsThenRetries(await deploy(), /Driver faulty exited \(code 3\) before answering/);

    inject('vmm', { DEPLOY: 'kill' });
    await failsThenRetries(await deploy(), /Driver faulty exited \(signal SIGKILL\) before answering/);

    // Killed from outside while it holds a request.
    inject('vmm', { DEPLOY: 'hang' });
    const id = await deploy();
    await vmIn(id, L.BOOT);
    const pid = Number(readFileSync(`${control('vmm')}.pid`, 'utf8'));
    process.kill(pid, 'SIGKILL');
    await failsThenRetries(id, /Driver faulty exited \(signal SIGKILL\) before answering/);
    assert.match(onedLog(), /faulty: Driver faulty exited \(signal SIGKILL\); restart attempt \d\/\d+/);
  });

  test('garbage, a runaway line and answers with the wrong id are logged and ignored; no VM changes', async () => {
    inject('vmm', { DEPLOY: 'garbage' });
    const id = await deploy();
    const running = await vmIn(id, L.RUNNING);
    assert.equal(childText(running, 'DEPLOY_ID'), `one-${id}`);
    const log = await until('the runaway line dropped', async () => onedLog(), (t) => /wrote a line of \d+ bytes without end: dropped/.test(t), () => 'no such line in oned.log');
    assert.match(log, /sent an invalid line \(not an action name\): this is not a message/);
    assert.match(log, /sent an invalid line \(result is neither SUCCESS nor FAILURE\)/);
    assert.match(log, /sent an invalid line \(id is not a number\)/);

    // The answer names the previous VM (id - 1), which waits for nothing: it must not change.
    const before = await vmInfo(oned(), id);
    inject('vmm', { DEPLOY: 'wrongid' });
    const other = await deploy();
    assert.equal(other, id + 1);
    await vmIn(other, L.BOOT_FAILURE);
    assert.match(userAttr(await vmInfo(oned(), other), 'ERROR'), /Timeout after 3 s/);
    const after = await vmInfo(oned(), id);
    assert.deepEqual([childInt(after, 'LCM_STATE'), childText(after, 'DEPLOY_ID')], [childInt(before, 'LCM_STATE'), childText(before, 'DEPLOY_ID')]);
    assert.match(onedLog(), new RegExp(`unexpected answer ignored: DEPLOY SUCCESS ${id} `));
    inject('vmm');
    await okId(oned(), 'one.vm.recover', [other, 2]);
    await vmIn(other, L.RUNNING);
  });

  test('an answer cut short by the driver dying is not taken as an answer', async () => {
    inject('vmm', { DEPLOY: 'partial' });
    const id = await deploy();
    await failsThenRetries(id, /Driver faulty exited \(.*\) before answering/);
    assert.match(onedLog(), /ended with a line cut short: dropped/);
  });

  test('monitoring that hangs, dies or answers garbage: host ERROR with why, its VMs UNKNOWN, then back', async () => {
    const id = await deploy();
    await vmIn(id, L.RUNNING);
    for (const [fault, reason] of [
      ['hang', /Timeout after 3 s: driver faulty did not answer MONITOR/],
      ['kill', /Driver faulty exited \(signal SIGKILL\) before answering/],
      ['badbase64', /Monitoring data of host faulty-host is not a template/],
      ['binary', /Monitoring data of host faulty-host is not a template/],
    ] as const) {
      inject('im', { MONITOR: fault });
      const h = await hostIn(HOST.ERROR, TIMEOUT + 10);
      assert.match(childText(must(h, 'TEMPLATE'), 'ERROR'), reason, fault);
      await vmIn(id, L.UNKNOWN);
      await assertServing(oned());
      inject('im');
      await hostIn(HOST.MONITORED, TIMEOUT + 10);
      const v = await vmIn(id, L.RUNNING);
      assert.equal(childText(v, 'DEPLOY_ID'), `one-${id}`);
    }
    const h = await okXml(oned(), 'one.host.info', [hid]);
    const active = all(await okXml(oned(), 'one.vmpool.info', [-2, -1, -1, -1]), 'VM').filter((v) => childInt(v, 'STATE') === S.ACTIVE);
    assert.equal(childInt(must(h, 'HOST_SHARE'), 'RUNNING_VMS'), active.length, 'no VM counted twice or lost');
  });

  test('a datastore driver that hangs or dies: the image goes to ERROR with why; the next one is READY', async () => {
    const ds = await okId(oned(), 'one.datastore.allocate', ['NAME = "faulty-ds"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const image = (name: string) => okId(oned(), 'one.image.allocate', [`NAME = "${name}"\nPATH = "/nowhere/${name}.img"\nSIZE = 10`, ds]);
    const imageIn = (id: number, state: number) =>
      until(`image ${id} in ${state}`, () => okXml(oned(), 'one.image.info', [id]), (i) => childInt(i, 'STATE') === state, (i) => `state ${childInt(i, 'STATE')}, ERROR "${childText(must(i, 'TEMPLATE'), 'ERROR')}"`);
    for (const [fault, reason] of [
      ['exit', /Driver datastore_mad exited \(code 3\) before answering/],
      ['hang', /Timeout after 3 s: driver datastore_mad did not answer CP/],
    ] as const) {
      inject('ds', { CP: fault });
      const failed = await imageIn(await image(`img-${fault}`), IMAGE.ERROR);
      assert.match(childText(must(failed, 'TEMPLATE'), 'ERROR'), reason);
      inject('ds');
      await imageIn(await image(`img-after-${fault}`), IMAGE.READY);
    }
  });
});

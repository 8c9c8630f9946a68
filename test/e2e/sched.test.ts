/**
 * The scheduler end to end: oned starts mm_sched (oned.conf SCHEDULER), which places VMs on
 * dummy hosts of different sizes through the API. Policies, SCHED_REQUIREMENTS, the messages of
 * VMs that stay pending, the explain mode, rescheduling, and an advance reservation honoured
 * while best-effort VMs compete for its host. The scheduler is an API client, so one backend
 * (SQLite) is enough here.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { all, must, okId, okXml, sleep } from './api-helpers.js';

const MM_SCHED = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/sched/main.js');

/** Host kinds: IM_MAD entries of the dummy driver with different capacities and attributes. */
const IM_KINDS: Readonly<Record<string, string>> = {
  big: '-c 800 -m 8192',
  small: '-c 400 -m 4096',
  loaded: '-c 800 -m 8192 -u 75',
  fast_kvm: '-c 800 -m 8192 -e "CPUSPEED=3000,HYPERVISOR=kvm"',
  slow_kvm: '-c 800 -m 8192 -e "CPUSPEED=800,HYPERVISOR=kvm"',
  fast_xen: '-c 800 -m 8192 -e "CPUSPEED=3000,HYPERVISOR=xen"',
};
const CONF = `HOST_MONITORING_INTERVAL = 1
${Object.entries(IM_KINDS).map(([n, a]) => `IM_MAD = [ NAME = "${n}", EXECUTABLE = "one_im_dummy", ARGUMENTS = "${a.replace(/"/g, '\\"')}" ]`).join('\n')}
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;
/** oned runs mm_sched unless a test's own conf says otherwise (oned reads the first SCHEDULER). */
const RUN_SCHED = 'SCHEDULER = [ EXECUTABLE = "mm_sched" ]\n';
const FAST = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\n';

const oneds: Oned[] = [];
after(async () => {
  for (const o of oneds) await o.stop();
});

/** oned with the scheduler and these hosts (name → kind), all monitored before it returns. */
async function cloud(schedConf: string, hosts: readonly [string, string][], conf = ''): Promise<{ oned: Oned; ids: Map<string, number> }> {
  const oned = await Oned.start({ backend: 'sqlite', conf: CONF + (conf.includes('SCHEDULER') ? '' : RUN_SCHED) + conf, schedConf });
  oneds.push(oned);
  // Dummy hosts have no disks to move: the system datastore's transfers are dummy too.
  await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  const ids = new Map<string, number>();
  for (const [name, kind] of hosts) ids.set(name, await okId(oned, 'one.host.allocate', [name, kind, 'dummy', -1]));
  const end = Date.now() + 20_000;
  while ((await hostStates(oned)).some((s) => s !== 2)) {
    if (Date.now() > end) throw new Error('hosts not monitored in 20 s');
    await sleep(100);
  }
  return { oned, ids };
}

async function hostStates(oned: Oned): Promise<number[]> {
  return all(await okXml(oned, 'one.hostpool.info', []), 'HOST').map((h) => childInt(h, 'STATE'));
}

function vm(oned: Oned, template: string): Promise<number> {
  return okId(oned, 'one.vm.allocate', [template, false]);
}

async function vms(oned: Oned, n: number, template: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await vm(oned, template));
  return out;
}

const lastHost = (v: XmlNode): number => {
  const h = all(must(v, 'HISTORY_RECORDS'), 'HISTORY');
  return h.length === 0 ? -1 : childInt(h[h.length - 1]!, 'HID');
};
const userAttr = (v: XmlNode, name: string) => childText(must(v, 'USER_TEMPLATE'), name);

/** Waits until `check` holds for VM `id`. */
async function until(oned: Oned, id: number, what: string, check: (v: XmlNode) => boolean, seconds = 30): Promise<XmlNode> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await okXml(oned, 'one.vm.info', [id]);
    if (check(v)) return v;
    if (Date.now() > end) {
      const log = join(oned.location, 'var', 'sched.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no sched.log)';
      throw new Error(`VM ${id}: ${what} not seen in ${seconds} s (STATE ${childText(v, 'STATE')}, LCM ${childText(v, 'LCM_STATE')}, SCHED_MESSAGE "${userAttr(v, 'SCHED_MESSAGE')}")\nsched.log:\n${tail}`);
    }
    await sleep(100);
  }
}

const placed = (v: XmlNode) => childInt(v, 'STATE') === 3 && lastHost(v) >= 0;
const running = (v: XmlNode) => childInt(v, 'STATE') === 3 && childInt(v, 'LCM_STATE') === 3;

/** Host id of each VM once all are placed. */
async function hostsOf(oned: Oned, ids: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) out.push(lastHost(await until(oned, id, 'placed', placed)));
  return out;
}

function count(hosts: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const h of hosts) m.set(h, (m.get(h) ?? 0) + 1);
  return m;
}

const SMALL_VM = 'CPU = 1\nMEMORY = 128';

describe('scheduler policies', () => {
  test('packing (POLICY 0) fills one host before the next', async () => {
    const { oned, ids } = await cloud(`${FAST}DEFAULT_SCHED = [ POLICY = 0 ]\n`, [['a', 'big'], ['b', 'big'], ['c', 'big']]);
    const placedOn = count(await hostsOf(oned, await vms(oned, 10, SMALL_VM)));
    assert.deepEqual([...placedOn.values()].sort((x, y) => y - x), [8, 2], `10 VMs of 1 CPU on 8-CPU hosts: ${JSON.stringify([...placedOn])}`);
    assert.equal(placedOn.get(ids.get('a')!), 8, 'the first host is filled first');
  });

  test('striping (POLICY 1, the default) spreads VMs over the hosts', async () => {
    const { oned } = await cloud(FAST, [['a', 'big'], ['b', 'big'], ['c', 'big']]);
    const placedOn = count(await hostsOf(oned, await vms(oned, 6, SMALL_VM)));
    assert.deepEqual([...placedOn.values()], [2, 2, 2]);
  });

  test('load-aware (POLICY 2) prefers the host with the most free CPU', async () => {
    const { oned, ids } = await cloud(`${FAST}DEFAULT_SCHED = [ POLICY = 2 ]\n`, [['busy', 'loaded'], ['idle', 'big']]);
    const hosts = await hostsOf(oned, await vms(oned, 3, SMALL_VM));
    assert.deepEqual(hosts, [ids.get('idle'), ids.get('idle'), ids.get('idle')], 'the 75% loaded host (FREE_CPU 200) is passed over');
  });

  test('a custom RANK (POLICY 3) is obeyed, and a VM\'s SCHED_RANK overrides it', async () => {
    const { oned, ids } = await cloud(`${FAST}DEFAULT_SCHED = [ POLICY = 3, RANK = "PRIORITY" ]\n`, [['low', 'big'], ['high', 'big'], ['mid', 'big']]);
    for (const [name, p] of [['low', 1], ['high', 10], ['mid', 5]] as const) await okId(oned, 'one.host.update', [ids.get(name)!, `PRIORITY = ${p}`, 1]);
    const [byPolicy] = await hostsOf(oned, [await vm(oned, SMALL_VM)]);
    assert.equal(byPolicy, ids.get('high'));
    const [byVm] = await hostsOf(oned, [await vm(oned, `${SMALL_VM}\nSCHED_RANK = "- PRIORITY"`)]);
    assert.equal(byVm, ids.get('low'));
  });

  test('MAX_HOST limits what one host gets per cycle (mm_sched --once -h 1)', async () => {
    // Only the one-shot runs below place VMs: oned starts no scheduler of its own (whose first
    // cycle could come after the VMs exist on a loaded machine).
    const { oned, ids } = await cloud('SCHED_INTERVAL = 3600\nMAX_DISPATCH = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n', [['a', 'big'], ['b', 'big']], 'SCHEDULER = ""\n');
    await okId(oned, 'one.host.status', [ids.get('b')!, 1]); // disabled: one host left
    const created = await vms(oned, 3, SMALL_VM);
    const placedNow = async () => (await Promise.all(created.map(async (id) => placed(await okXml(oned, 'one.vm.info', [id]))))).filter(Boolean).length;
    for (const expected of [1, 2]) {
      const r = spawnSync(process.execPath, [MM_SCHED, '--once', '-h', '1'], { env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { dispatched: number };
      if (report.dispatched !== 1) {
        const seen = await Promise.all(created.map(async (id) => { const v = await okXml(oned, 'one.vm.info', [id]); return `${id}: STATE ${childText(v, 'STATE')} LCM ${childText(v, 'LCM_STATE')} "${userAttr(v, 'SCHED_MESSAGE')}"`; }));
        const hostsSeen = all(await okXml(oned, 'one.hostpool.info', []), 'HOST').map((h) => `${childText(h, 'NAME')}: STATE ${childText(h, 'STATE')}`);
        assert.fail(`one VM per host and cycle, run ${expected}: ${r.stdout.trim()}\n${r.stderr}\nVMs ${seen.join('; ')}\nhosts ${hostsSeen.join('; ')}`);
      }
      // Exactly the VMs the one-shot runs dispatched are placed: no other scheduler runs. (oned used
      // to start one here, as it reads the first SCHEDULER of its conf; woken by the allocations, it
      // placed VMs before the one-shot runs.)
      assert.equal(await placedNow(), expected);
    }
  });
});

describe('SCHED_REQUIREMENTS and why a VM is pending', () => {
  let oned: Oned;
  let ids: Map<string, number>;
  const sched = () => oned;

  test('requirements filter hosts by monitored and template attributes and by name patterns', async () => {
    ({ oned, ids } = await cloud(FAST, [['node1', 'slow_kvm'], ['node2', 'fast_kvm'], ['other1', 'fast_xen'], ['small1', 'small']]));
    const [kvmFast] = await hostsOf(oned, [await vm(oned, `${SMALL_VM}\nSCHED_REQUIREMENTS = "CPUSPEED > 1000 & HYPERVISOR = \\"kvm\\""`)]);
    assert.equal(kvmFast, ids.get('node2'));
    const named = await hostsOf(oned, await vms(oned, 4, `${SMALL_VM}\nSCHED_REQUIREMENTS = "NAME = \\"node*\\""`));
    assert.ok(named.every((h) => h === ids.get('node1') || h === ids.get('node2')), `NAME = "node*": ${named}`);
    const [notXen] = await hostsOf(oned, [await vm(oned, `${SMALL_VM}\nSCHED_REQUIREMENTS = "!(HYPERVISOR = xen) & TOTAL_MEM < 5000000"`)]);
    assert.equal(notXen, ids.get('small1'));
  });

  test('a VM no host can take says why, in numbers', async () => {
    await okId(sched(), 'one.host.status', [ids.get('small1')!, 1]); // disabled
    const huge = await vm(oned, 'CPU = 1\nMEMORY = 100000');
    const v = await until(oned, huge, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.equal(userAttr(v, 'SCHED_MESSAGE'), 'Cannot dispatch VM: of 4 hosts: 1 disabled, 3 lack memory');
    assert.equal(childInt(v, 'STATE'), 1, 'still pending');

    const vmware = await vm(oned, `${SMALL_VM}\nSCHED_REQUIREMENTS = "HYPERVISOR = vmware & CPUSPEED > 100"`);
    const w = await until(oned, vmware, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.equal(userAttr(w, 'SCHED_MESSAGE'), 'Cannot dispatch VM: of 4 hosts: 1 disabled, 3 filtered by requirements');

    const unknown = await vm(oned, `${SMALL_VM}\nSCHED_REQUIREMENTS = "GPU_MODEL = \\"a100\\""`);
    const u = await until(oned, unknown, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.match(userAttr(u, 'SCHED_MESSAGE'), /3 filtered by requirements\. SCHED_REQUIREMENTS names GPU_MODEL, which no host has$/);

    const broken = await vm(oned, `${SMALL_VM}\nSCHED_REQUIREMENTS = "CPUSPEED >"`);
    const b = await until(oned, broken, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.match(userAttr(b, 'SCHED_MESSAGE'), /^Cannot dispatch VM: SCHED_REQUIREMENTS "CPUSPEED >": .*column/);
  });

  test('the explain mode lists every host with its reason or rank', async () => {
    const huge = await vm(oned, 'CPU = 1\nMEMORY = 5000\nSCHED_REQUIREMENTS = "HYPERVISOR = kvm"');
    await until(oned, huge, 'placed or explained', (x) => placed(x) || userAttr(x, 'SCHED_MESSAGE') !== '');
    const r = spawnSync(process.execPath, [MM_SCHED, '--explain', String(huge)], {
      env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^VM ${huge}: CPU 1, MEMORY 5000 MB`));
    assert.match(r.stdout, /other1 +filtered: filtered by requirements/);
    assert.match(r.stdout, /small1 +filtered: disabled/);
    assert.match(r.stdout, /node[12] +(rank -?\d+|filtered: lack memory)/);
    const missing = spawnSync(process.execPath, [MM_SCHED, '--explain', '99999'], { env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') }, encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /VM 99999 does not exist/);
  });

  test('a SCHED_MESSAGE is gone once the VM is deployed', async () => {
    const waiting = await vm(oned, `${SMALL_VM}\nSCHED_REQUIREMENTS = "NAME = small1"`);
    await until(oned, waiting, 'a SCHED_MESSAGE', (x) => /1 disabled/.test(userAttr(x, 'SCHED_MESSAGE')));
    await okId(oned, 'one.host.status', [ids.get('small1')!, 0]); // enabled again
    const v = await until(oned, waiting, 'placed', placed);
    assert.equal(lastHost(v), ids.get('small1'));
    assert.equal(userAttr(v, 'SCHED_MESSAGE'), '');
  });
});

describe('rescheduling', () => {
  test('a VM flagged with resched moves to a better host; LIVE_RESCHEDS makes it a live migration', async () => {
    const { oned, ids } = await cloud(`${FAST}LIVE_RESCHEDS = 1\nDEFAULT_SCHED = [ POLICY = 3, RANK = "PRIORITY" ]\n`, [['a', 'big'], ['b', 'big']]);
    await okId(oned, 'one.host.update', [ids.get('a')!, 'PRIORITY = 10', 1]);
    const id = await vm(oned, SMALL_VM);
    await until(oned, id, 'running on a', (v) => running(v) && lastHost(v) === ids.get('a'));
    await okId(oned, 'one.host.update', [ids.get('b')!, 'PRIORITY = 20', 1]);
    await okId(oned, 'one.vm.action', ['resched', id]);
    const v = await until(oned, id, 'running on b', (x) => running(x) && lastHost(x) === ids.get('b'));
    const history = all(must(v, 'HISTORY_RECORDS'), 'HISTORY');
    assert.equal(childInt(history[history.length - 2]!, 'ACTION'), 2, 'the move was a live migration');
    assert.equal(childInt(v, 'RESCHED'), 0);
  });
});

describe('a failed host', () => {
  test('with ft/host_error -m, its VMs are rescheduled: the scheduler moves them to a healthy host', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'sched-ft-'));
    const conf = `HOST_MONITORING_TIMEOUT = 2
IM_MAD = [ NAME = "flaky", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-a ${failing}" ]
HOST_HOOK = [ NAME = "error", ON = "ERROR", COMMAND = "ft/host_error", ARGUMENTS = "$ID -m" ]
`;
    const { oned, ids } = await cloud(`${FAST}DEFAULT_SCHED = [ POLICY = 3, RANK = "PRIORITY" ]\n`, [['sick', 'flaky'], ['well', 'big']], conf);
    await okId(oned, 'one.host.update', [ids.get('sick')!, 'PRIORITY = 10', 1]);
    const placedVms = await vms(oned, 2, SMALL_VM);
    for (const id of placedVms) await until(oned, id, 'running on sick', (v) => running(v) && lastHost(v) === ids.get('sick'));
    writeFileSync(join(failing, 'monitor'), 'failure\n');
    for (const id of placedVms) await until(oned, id, 'running on well', (v) => running(v) && lastHost(v) === ids.get('well'), 40);
  });
});

describe('advance reservations', () => {
  test('a reservation is honoured while best-effort VMs compete for its host', async () => {
    const { oned, ids } = await cloud(FAST, [['only', 'big']]);
    const host = ids.get('only')!;
    const start = Math.floor(Date.now() / 1000) + 8;
    // 6 of the host's 8 CPUs from start for 8 s.
    const reserved = await vm(oned, `CPU = 6\nMEMORY = 512\nSCHED_START = ${start}\nSCHED_DURATION = 8`);
    const held = await until(oned, reserved, 'held', (x) => /^Reserved on host only/.test(userAttr(x, 'SCHED_MESSAGE')));
    assert.equal(childInt(held, 'STATE'), 1);
    // Best-effort VMs that would outlive the start may take only the 2 CPUs left; preemptible ones take the rest.
    const plain = await vms(oned, 4, SMALL_VM);
    const preemptible = await vms(oned, 3, `CPU = 2\nMEMORY = 128\nSCHED_PREEMPTIBLE = YES`);
    await hostsOf(oned, [...plain.slice(0, 2), ...preemptible]);
    for (const id of plain.slice(2)) {
      const v = await until(oned, id, 'told to wait', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
      assert.equal(userAttr(v, 'SCHED_MESSAGE'), 'Cannot dispatch VM: of 1 host: 1 keep their room for reservations');
      assert.equal(childInt(v, 'STATE'), 1);
    }
    // At its start the reservation runs, on time, and the preemptible VMs made room.
    const r = await until(oned, reserved, 'running', running, 30);
    const history = all(must(r, 'HISTORY_RECORDS'), 'HISTORY');
    const began = childInt(history[0]!, 'STIME');
    assert.ok(began >= start && began <= start + 3, `deployed at ${began}, reserved for ${start}`);
    assert.equal(lastHost(r), host);
    let requeued = 0;
    for (const id of preemptible) {
      const v = await okXml(oned, 'one.vm.info', [id]);
      if (userAttr(v, 'SCHED_PREEMPTED') === 'YES') requeued++;
    }
    assert.ok(requeued >= 2, `at least 2 of the 3 preemptible VMs (6 CPUs) gave way: ${requeued}`);
    const h = await okXml(oned, 'one.host.info', [host]);
    assert.ok(childInt(must(h, 'HOST_SHARE'), 'CPU_USAGE') <= 800, 'the host is never over its capacity');
    // Its lease ends: terminated. The VMs that waited come first (4 CPUs), then requeued ones
    // fill the 4 CPUs left: 2 of the 3.
    const done = await until(oned, reserved, 'done', (x) => childInt(x, 'STATE') === 6, 30);
    assert.ok(childInt(done, 'ETIME') >= start + 8);
    for (const id of plain) await until(oned, id, 'running', running, 30);
    const end = Date.now() + 30_000;
    let back = 0;
    while (back < 2 && Date.now() < end) {
      back = 0;
      for (const id of preemptible) if (running(await okXml(oned, 'one.vm.info', [id]))) back++;
      await sleep(200);
    }
    assert.equal(back, 2, 'two requeued VMs run again');
  });

  test('bad reservations are told why on the VM', async () => {
    const { oned } = await cloud(FAST, [['only', 'big']]);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, RegExp][] = [
      [`SCHED_START = ${now - 3600}\nSCHED_DURATION = 60`, /before the VM was submitted/],
      [`SCHED_START = "tomorrow"\nSCHED_DURATION = 60`, /neither epoch seconds nor an ISO 8601 date/],
      [`SCHED_START = ${now + 3600}\nSCHED_DURATION = "a while"`, /SCHED_DURATION "a while" must be a positive number/],
      [`SCHED_START = ${now + 3600}`, /needs SCHED_DURATION/],
    ];
    for (const [attrs, message] of cases) {
      const id = await vm(oned, `${SMALL_VM}\n${attrs}`);
      const v = await until(oned, id, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
      assert.match(userAttr(v, 'SCHED_MESSAGE'), message);
      assert.equal(childInt(v, 'STATE'), 1);
    }
    const huge = await vm(oned, `CPU = 64\nMEMORY = 128\nSCHED_START = ${now + 3600}\nSCHED_DURATION = 1h`);
    const v = await until(oned, huge, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.match(userAttr(v, 'SCHED_MESSAGE'), /^Cannot hold the reservation from .*: it asks for more than any host has \(CPU 64, MEMORY 128 MB\)$/);
  });
});

describe('the scheduler process', () => {
  test('a rank that divides by zero is logged in sched.log and the VM still placed', async () => {
    const { oned } = await cloud(FAST, [['a', 'big']]);
    const id = await vm(oned, `${SMALL_VM}\nSCHED_RANK = "FREE_CPU / RUNNING_VMS"`);
    await until(oned, id, 'placed', placed);
    const log = readFileSync(join(oned.location, 'var', 'sched.log'), 'utf8');
    assert.match(log, new RegExp(`VM ${id}: SCHED_RANK "FREE_CPU / RUNNING_VMS" failed on host 0: division by zero`));
  });

  test('oned starts the scheduler again when it dies', async () => {
    const { oned } = await cloud(FAST, [['a', 'big']]);
    const log = () => readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8');
    const pid = Number(/Scheduler started \(pid (\d+)\)/.exec(log())?.[1]);
    assert.ok(pid > 0, 'oned logged the scheduler it started');
    process.kill(pid, 'SIGKILL');
    const end = Date.now() + 20_000;
    while ((log().match(/Scheduler started/g) ?? []).length < 2) {
      assert.ok(Date.now() < end, 'a new scheduler within 20 s');
      await sleep(200);
    }
    assert.match(log(), /Scheduler exited \(SIGKILL\); restarting in 5 s/);
    const [id] = await vms(oned, 1, SMALL_VM);
    await until(oned, id!, 'placed by the new scheduler', placed);
  });

  test('without oned it logs each failed cycle and keeps running', async () => {
    const dir = join(oneds[0]!.location, 'standalone');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'auth'), 'oneadmin:x\n');
    const log = join(dir, 'sched.log');
    const p = spawn(process.execPath, [MM_SCHED, '-t', '1', '-L', log], { env: { ...process.env, ONE_XMLRPC: 'http://127.0.0.1:1/RPC2', ONE_AUTH: join(dir, 'auth') }, stdio: 'ignore' });
    try {
      // Two failed cycles logged (a busy machine may take a while to start the process), and it runs on.
      const failures = () => (existsSync(log) ? readFileSync(log, 'utf8').match(/Cycle failed: .*127\.0\.0\.1:1/g) ?? [] : []);
      const end = Date.now() + 30_000;
      while (failures().length < 2) {
        assert.equal(p.exitCode, null, 'still running');
        assert.ok(Date.now() < end, `failed cycles logged within 30 s: ${failures().length}`);
        await sleep(200);
      }
      assert.equal(p.exitCode, null, 'still running');
    } finally {
      p.kill('SIGTERM');
    }
    const bad = spawnSync(process.execPath, [MM_SCHED, '-t', 'soon'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /SCHED_INTERVAL must be an integer of at least 1, got "soon"/);
  });
});

/**
 * Day-2 operations benchmark (issue 13): oned with dummy drivers and many RUNNING VMs; each
 * operation of OPERATIONS runs once on every VM, `--concurrency` at a time, through the client
 * library (src/oca), and each VM is followed until it is settled again (back to RUNNING with the
 * operation's effect visible). Reports per operation: throughput (VMs settled per second), the
 * latency of the call and until settled (p50 / p99), oned's CPU per operation, and oned's
 * resident memory and CPU time before and after. Not a test: see bench/README.md.
 *
 *   node dist/bench/snapshot-bench.js [--backend sqlite] [--vms 1000] [--hosts 10] [--concurrency 50] [--ops snapshot-create,snapshot-revert,snapshot-delete,disk-snapshot-create,backup]
 *
 * An operation is one entry in OPERATIONS: its `call` through the client library and its
 * `settled` check on the VM's info; `needs` names what the VM must have for it (a disk, being
 * powered off), and VM_TEMPLATES gives VMs with it. Disk snapshots run on RUNNING VMs with a
 * disk (the dummy VMM's DISKSNAPSHOTCREATE), backups on POWEROFF VMs into a dummy backup
 * datastore.
 */
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import { Oca, type VirtualMachine } from '../src/oca/index.js';
import { Oned } from '../test/e2e/harness.js';
import { cpuMs, measure, ok, percentile, printHeading, rssMb, runningIn } from './bench-lib.js';

const RUNNING = 3;
const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = 30
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 3200 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

/**
 * What an operation needs the VMs to have; each kind of VM comes from its template and is left
 * RUNNING, or POWEROFF for the needs in POWERED_OFF.
 */
type Need = 'nothing' | 'disk' | 'off-disk';
const DISK = 'DISK = [ TYPE = "fs", SIZE = 10, DEV_PREFIX = "vd" ]\nBACKUP_CONFIG = [ BACKUP_VOLATILE = "YES" ]';
const VM_TEMPLATES: Record<Need, (n: number) => string> = {
  nothing: (n) => `NAME = "bench-${n}"\nCPU = 0.01\nMEMORY = 16`,
  disk: (n) => `NAME = "bench-disk-${n}"\nCPU = 0.01\nMEMORY = 16\nDISK = [ IMAGE_ID = ${target.imageId} ]`,
  'off-disk': (n) => `NAME = "bench-off-${n}"\nCPU = 0.01\nMEMORY = 16\n${DISK}`,
};
const POWERED_OFF: ReadonlySet<Need> = new Set(['off-disk']);
/** The backup datastore and the image (disk snapshots need an image's disk) setUp makes, on dummy drivers. */
const target = { backupDs: -1, imageId: -1 };

/** One VM of the run and what earlier operations left for later ones (a snapshot's id). */
interface BenchVm {
  readonly id: number;
  readonly bag: Record<string, number>;
}

/** A day-2 operation as the benchmark drives it. */
interface Operation {
  readonly name: string;
  /** The XML-RPC method, for the report. */
  readonly method: string;
  readonly needs: Need;
  /** Starts the operation on the VM (through the client library). */
  readonly call: (one: Oca, vm: BenchVm) => Promise<void>;
  /** Whether the VM, as its info shows it, is done with the operation. */
  readonly settled: (info: VirtualMachine, vm: BenchVm) => boolean;
}

const running = (info: VirtualMachine) => info.state === 3 && info.lcmState === RUNNING;
const poweredOff = (info: VirtualMachine) => info.state === 8;
const diskSnapshots = (info: VirtualMachine) => info.all('SNAPSHOTS/SNAPSHOT').length;
const backups = (info: VirtualMachine) => info.all('BACKUPS/BACKUP_IDS/ID').length;
const hasSnapshot = (info: VirtualMachine, id: number | undefined) => info.all('TEMPLATE/SNAPSHOT').some((s) => s.children.find((c) => c.name === 'SNAPSHOT_ID')?.text === String(id));

const OPERATIONS: readonly Operation[] = [
  {
    name: 'snapshot-create',
    method: 'one.vm.snapshotcreate',
    needs: 'nothing',
    call: async (one, vm) => {
      vm.bag['snapshot'] = await one.vms.snapshotCreate(vm.id, 'bench');
    },
    settled: (info, vm) => running(info) && hasSnapshot(info, vm.bag['snapshot']),
  },
  {
    name: 'snapshot-revert',
    method: 'one.vm.snapshotrevert',
    needs: 'nothing',
    call: async (one, vm) => {
      await one.vms.snapshotRevert(vm.id, vm.bag['snapshot']!);
    },
    settled: running,
  },
  {
    name: 'snapshot-delete',
    method: 'one.vm.snapshotdelete',
    needs: 'nothing',
    call: async (one, vm) => {
      await one.vms.snapshotDelete(vm.id, vm.bag['snapshot']!);
    },
    settled: (info, vm) => running(info) && !hasSnapshot(info, vm.bag['snapshot']),
  },
  {
    name: 'disk-snapshot-create',
    method: 'one.vm.disksnapshotcreate',
    needs: 'disk',
    call: async (one, vm) => {
      vm.bag['disk-snapshots'] = (await one.vms.info(vm.id)).all('SNAPSHOTS/SNAPSHOT').length;
      await one.vms.diskSnapshotCreate(vm.id, 0, 'bench');
    },
    settled: (info, vm) => running(info) && diskSnapshots(info) > vm.bag['disk-snapshots']!,
  },
  {
    name: 'backup',
    method: 'one.vm.backup',
    needs: 'off-disk',
    call: async (one, vm) => {
      vm.bag['backups'] = (await one.vms.info(vm.id)).all('BACKUPS/BACKUP_IDS/ID').length;
      await one.vms.backup(vm.id, target.backupDs, false);
    },
    settled: (info, vm) => poweredOff(info) && backups(info) > vm.bag['backups']!,
  },
];

function options() {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'sqlite' },
      vms: { type: 'string', default: '1000' },
      hosts: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '50' },
      ops: { type: 'string', default: OPERATIONS.map((o) => o.name).join(',') },
    },
  });
  const backend = values.backend as Backend;
  if (!['sqlite', 'postgresql', 'mysql'].includes(backend)) throw new Error(`--backend: sqlite, postgresql or mysql, not ${backend}`);
  const num = (k: 'vms' | 'hosts' | 'concurrency') => {
    const n = Number(values[k]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${k}: a whole number above 0`);
    return n;
  };
  const ops = values.ops.split(',').map((name) => {
    const op = OPERATIONS.find((o) => o.name === name.trim());
    if (!op) throw new Error(`--ops: unknown operation "${name}" (known: ${OPERATIONS.map((o) => o.name).join(', ')})`);
    return op;
  });
  return { backend, vms: num('vms'), hosts: num('hosts'), concurrency: num('concurrency'), ops };
}

interface OpResult {
  readonly op: Operation;
  readonly done: number;
  readonly failed: number;
  readonly firstError: string;
  readonly seconds: number;
  readonly callMs: Float64Array;
  readonly settledMs: Float64Array;
  readonly polls: number;
  readonly onedCpuMs: number;
}

/** Follows the VM (one.vm.info, backing off from 5 to 50 ms) until `settled`; counts the polls. */
async function untilSettled(one: Oca, op: Operation, vm: BenchVm, counter: { polls: number }): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (let wait = 5; ; wait = Math.min(50, wait * 2)) {
    counter.polls++;
    const info = await one.vms.info(vm.id);
    if (op.settled(info, vm)) return;
    if (info.state === 7 || Date.now() > deadline) throw new Error(`VM ${vm.id} did not settle after ${op.name}: state ${info.state}/${info.lcmState}`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** Runs `op` once on every VM, `concurrency` VMs at a time, each on its own client. */
async function runOperation(oned: Oned, op: Operation, vms: readonly BenchVm[], concurrency: number): Promise<OpResult> {
  const clients = Array.from({ length: Math.min(concurrency, vms.length) }, () => new Oca({ endpoint: oned.endpoint, session: oned.oneadmin }));
  await Promise.all(clients.map((c) => c.system.version()));
  const callMs: number[] = [];
  const settledMs: number[] = [];
  const counter = { polls: 0 };
  let next = 0;
  let failed = 0;
  let firstError = '';
  const cpuBefore = cpuMs(oned.pid);
  const start = performance.now();
  await Promise.all(
    clients.map(async (one) => {
      while (next < vms.length) {
        const vm = vms[next++]!;
        const t0 = performance.now();
        try {
          await op.call(one, vm);
          callMs.push(performance.now() - t0);
          await untilSettled(one, op, vm, counter);
          settledMs.push(performance.now() - t0);
        } catch (err) {
          failed++;
          firstError ||= (err as Error).message;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuMs(oned.pid) - cpuBefore;
  for (const c of clients) c.close();
  return {
    op,
    done: settledMs.length,
    failed,
    firstError,
    seconds,
    callMs: Float64Array.from(callMs).sort(),
    settledMs: Float64Array.from(settledMs).sort(),
    polls: counter.polls,
    onedCpuMs: cpu / Math.max(1, settledMs.length),
  };
}

/** Hosts, then the VMs each operation needs, deployed and all RUNNING. */
async function setUp(oned: Oned, o: ReturnType<typeof options>): Promise<Map<Need, BenchVm[]>> {
  const hosts: number[] = [];
  await measure(oned, 'one.host.allocate', 4, { count: o.hosts }, async (c, n) => {
    hosts.push((await ok(c, oned, 'one.host.allocate', [`node${n}`, 'dummy', 'dummy', -1])) as number);
  });
  // The dummy transfer driver for the system datastore's disks, a dummy backup datastore.
  const admin = oned.client();
  await ok(admin, oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  target.backupDs = (await ok(admin, oned, 'one.datastore.allocate', ['NAME = "bench-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "dummy"', -1])) as number;
  const images = (await ok(admin, oned, 'one.datastore.allocate', ['NAME = "bench-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1])) as number;
  target.imageId = (await ok(admin, oned, 'one.image.allocate', ['NAME = "bench-disk"\nTYPE = "DATABLOCK"\nSIZE = 100', images])) as number;
  while (!String(await ok(admin, oned, 'one.image.info', [target.imageId])).includes('<STATE>1</STATE>')) await new Promise((r) => setTimeout(r, 50));
  admin.close();
  const byNeed = new Map<Need, BenchVm[]>();
  for (const need of new Set(o.ops.map((op) => op.needs))) {
    const vms: BenchVm[] = [];
    await measure(oned, 'one.vm.allocate', 16, { count: o.vms }, async (c, n) => {
      vms.push({ id: (await ok(c, oned, 'one.vm.allocate', [VM_TEMPLATES[need](n), false])) as number, bag: {} });
    });
    await measure(oned, 'one.vm.deploy', 16, { count: vms.length }, (c, n) => ok(c, oned, 'one.vm.deploy', [vms[n]!.id, hosts[n % hosts.length]!, false, -1]));
    byNeed.set(need, vms);
  }
  const poller = oned.client();
  const total = o.vms * byNeed.size;
  while (runningIn(String(await ok(poller, oned, 'one.vmpool.info', [-2, -1, -1, 3]))) < total) await new Promise((r) => setTimeout(r, 250));
  const off = [...byNeed].filter(([need]) => POWERED_OFF.has(need)).flatMap(([, vms]) => vms);
  if (off.length > 0) {
    await measure(oned, 'one.vm.action poweroff', 16, { count: off.length }, (c, n) => ok(c, oned, 'one.vm.action', ['poweroff', off[n]!.id]));
    const count = async () => (String(await ok(poller, oned, 'one.vmpool.info', [-2, -1, -1, 8])).match(/<VM>/g) ?? []).length;
    while ((await count()) < off.length) await new Promise((r) => setTimeout(r, 250));
  }
  poller.close();
  return byNeed;
}

async function main(): Promise<void> {
  const o = options();
  printHeading('day-2 operations benchmark', 'client, oned and its dummy drivers', `${o.backend}: ${o.vms} RUNNING dummy VMs on ${o.hosts} hosts, ${o.concurrency} operations at a time`);
  const oned = await Oned.start({ backend: o.backend, conf: CONF });
  try {
    const t0 = performance.now();
    const vms = await setUp(oned, o);
    console.log(`\nset up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rssBefore = rssMb(oned.pid);
    const cpuBefore = cpuMs(oned.pid);
    const results: OpResult[] = [];
    for (const op of o.ops) results.push(await runOperation(oned, op, vms.get(op.needs)!, o.concurrency));
    const rssAfter = rssMb(oned.pid);
    const cpuAfter = cpuMs(oned.pid);
    const ms = (s: Float64Array, q: number) => percentile(s, q).toFixed(1);
    console.log('\n| operation | method | VMs done | failed | ops/s | call p50 / p99 ms | settled p50 / p99 ms | info polls/op | oned CPU ms/op |');
    console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of results) {
      console.log(
        `| ${r.op.name} | ${r.op.method} | ${r.done} | ${r.failed} | ${(r.done / r.seconds).toFixed(0)} | ${ms(r.callMs, 0.5)} / ${ms(r.callMs, 0.99)} | ${ms(r.settledMs, 0.5)} / ${ms(r.settledMs, 0.99)} | ${(r.polls / Math.max(1, r.done)).toFixed(1)} | ${r.onedCpuMs.toFixed(2)} |`,
      );
      if (r.failed) console.log(`  ${r.op.name}: ${r.failed} failed, first: ${r.firstError}`);
    }
    console.log(`\noned resident memory ${rssBefore.toFixed(0)} MB before the operations, ${rssAfter.toFixed(0)} MB after; CPU time ${(cpuBefore / 1000).toFixed(1)} s before, ${(cpuAfter / 1000).toFixed(1)} s after (${((cpuAfter - cpuBefore) / 1000).toFixed(1)} s for the operations)`);
  } finally {
    await oned.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

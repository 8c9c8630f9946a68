/**
 * Scale benchmark (issue 18): one oned at rest with 10,000 dummy hosts monitored every 30 s and
 * 100,000 running VMs, and its read paths under that load. Measures oned's RSS with the hosts
 * only and then with the VMs (so per host and per VM), oned's CPU (and its driver processes')
 * at rest, then an open loop of `one.vmpool.info` as oneadmin and as a non-admin user whose
 * group an ACL rule lets see every VM, with `one.vm.info` alongside, monitoring running all the
 * while. Not a test: see bench/README.md.
 *
 *   node dist/bench/scale-bench.js [--backend sqlite] [--hosts 10000] [--vms 100000] [--rest 60] [--seconds 60]
 *                                  [--pool-rate 1] [--user-pool-rate 1] [--info-rate 100]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { AclRule } from '../src/common/acl/acl-rule.js';
import { encodeMethodCall, type XmlRpcClient } from '../src/rpc/xmlrpc/index.js';
import { Oned } from '../test/e2e/harness.js';
import { cpuMs, measure, ok, paced, percentile, printHeading, RawCaller, rssMb , benchOptions } from './bench-lib.js';

const CLIENTS = 16;
const MONITORING_INTERVAL = 30;
const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = ${MONITORING_INTERVAL}
TIMEOUT = 600
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 3200 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;
const VIEWER = 'viewer:viewer-password';

function options() {
  const o = benchOptions({ hosts: 10000, vms: 100000, rest: 60, seconds: 60, 'pool-rate': 1, 'user-pool-rate': 1, 'info-rate': 100 });
  return { ...o, poolRate: o['pool-rate'], userPoolRate: o['user-pool-rate'], infoRate: o['info-rate'] };
}

/** The processes oned started (its drivers and theirs), by walking /proc for children. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

function cpuOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of pids) {
    try {
      out.set(p, cpuMs(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** oned's and its drivers' CPU over `seconds` of rest (no API calls), in % of one core; a driver that exited meanwhile is left out. */
async function rest(pid: number, seconds: number): Promise<{ oned: number; drivers: number }> {
  const drivers = descendants(pid);
  const o0 = cpuMs(pid);
  const d0 = cpuOf(drivers);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  let used = 0;
  for (const [p, ms] of cpuOf(drivers)) used += ms - (d0.get(p) ?? ms);
  return { oned: (cpuMs(pid) - o0) / (seconds * 10), drivers: used / (seconds * 10) };
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const o = options();
  printHeading('scale benchmark', 'client, oned, its drivers and the database', `${o.backend}: ${o.hosts} dummy hosts monitored every ${MONITORING_INTERVAL} s, ${o.vms} VMs`);
  const oned = await Oned.start({ backend: o.backend, conf: CONF });
  try {
    const hostIds: number[] = [];
    const hostRow = await measure(oned, 'one.host.allocate', CLIENTS, { count: o.hosts }, async (c, n) => {
      hostIds.push((await ok(c, oned, 'one.host.allocate', [`node${n}`, 'dummy', 'dummy', -1])) as number);
    });
    console.log(`\n${o.hosts} hosts created in ${((o.hosts / hostRow.perSecond)).toFixed(1)} s`);
    // Every host is monitored once on creation; then a whole interval of rest with hosts only.
    await new Promise((r) => setTimeout(r, MONITORING_INTERVAL * 1000));
    const hostsOnly = await rest(oned.pid, MONITORING_INTERVAL);
    const rssHosts = rssMb(oned.pid);
    console.log(`hosts only: oned RSS ${rssHosts.toFixed(0)} MB; at rest oned ${hostsOnly.oned.toFixed(1)} % of a core, drivers ${hostsOnly.drivers.toFixed(1)} % (load ${load()})`);

    // The viewer: a user of a group that an ACL rule lets USE and MANAGE every VM.
    const gid = (await oned.ok('one.group.allocate', ['viewers'])) as number;
    await oned.ok('one.user.allocate', ['viewer', 'viewer-password', 'core', [gid]]);
    const rule = AclRule.parse(`@${gid} VM/* USE+MANAGE`);
    await oned.ok('one.acl.addrule', [rule.user.toString(16), rule.resource.toString(16), rule.rights.toString(16)]);

    const vmIds: number[] = [];
    const t0 = performance.now();
    await measure(oned, 'one.vm.allocate', CLIENTS, { count: o.vms }, async (c, n) => {
      vmIds.push((await ok(c, oned, 'one.vm.allocate', [`NAME = "vm${n}"\nCPU = 0.1\nMEMORY = 128`, false])) as number);
    });
    const created = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await measure(oned, 'one.vm.deploy', CLIENTS, { count: vmIds.length }, (c, n) => ok(c, oned, 'one.vm.deploy', [vmIds[n]!, hostIds[n % hostIds.length]!, false, -1]));
    // Until no VM is on its way (PROLOG 1, BOOT 2): the ACTIVE listing, read raw, counted in its
    // escaped text. On a starved machine some deploys fail (driver timeouts): they are counted.
    const raw = new RawCaller(oned.endpoint);
    let running = 0;
    for (;;) {
      const text = await raw.text(encodeMethodCall('one.vmpool.info', [oned.oneadmin, -2, -1, -1, 3]));
      running = text.split('&lt;LCM_STATE&gt;3&lt;/LCM_STATE&gt;').length - 1;
      const onTheirWay = text.split(/&lt;LCM_STATE&gt;[12]&lt;\/LCM_STATE&gt;/).length - 1;
      const pending = (await raw.text(encodeMethodCall('one.vmpool.info', [oned.oneadmin, -2, -1, -2, 1]))).includes('&lt;VM&gt;');
      if (running >= vmIds.length || (onTheirWay === 0 && !pending)) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const deployed = (performance.now() - t1) / 1000;
    console.log(`created ${vmIds.length} VMs in ${created.toFixed(1)} s, deployed in ${deployed.toFixed(1)} s: ${running} RUNNING, ${vmIds.length - running} failed`);

    const atRest = await rest(oned.pid, o.rest);
    const rssAll = rssMb(oned.pid);
    console.log(`hosts and VMs: oned RSS ${rssAll.toFixed(0)} MB; at rest for ${o.rest} s oned ${atRest.oned.toFixed(1)} % of a core, drivers ${atRest.drivers.toFixed(1)} % (load ${load()})`);
    console.log(`per host ${((rssHosts * 1024) / o.hosts).toFixed(1)} KB (hosts-only RSS / hosts, runtime included); per VM ${(((rssAll - rssHosts) * 1024) / o.vms).toFixed(1)} KB`);

    const randomVm = () => vmIds[Math.floor(Math.random() * vmIds.length)]!;
    const adminListing = encodeMethodCall('one.vmpool.info', [oned.oneadmin, -2, -1, -1, -1]);
    const userListing = encodeMethodCall('one.vmpool.info', [VIEWER, -2, -1, -1, -1]);
    const userBytes = await raw.call(userListing);
    const cpu0 = cpuMs(oned.pid);
    const [admin, user, info] = await Promise.all([
      paced(oned, o.poolRate, o.seconds, () => raw.call(adminListing)),
      paced(oned, o.userPoolRate, o.seconds, () => raw.call(userListing)),
      paced(oned, o.infoRate, o.seconds, (c: XmlRpcClient) => ok(c, oned, 'one.vm.info', [randomVm()])),
    ]);
    const busy = (cpuMs(oned.pid) - cpu0) / (o.seconds * 10);
    // Right after a change, both listings are rendered again.
    const changer = oned.client();
    const rebuilt: number[] = [];
    const rebuiltUser: number[] = [];
    for (let n = 0; n < 10; n++) {
      await ok(changer, oned, 'one.vm.update', [randomVm(), `BENCH = ${n}`, 1]);
      let t = performance.now();
      await raw.call(adminListing);
      rebuilt.push(performance.now() - t);
      await ok(changer, oned, 'one.vm.update', [randomVm(), `BENCH = ${n}`, 1]);
      t = performance.now();
      await raw.call(userListing);
      rebuiltUser.push(performance.now() - t);
    }
    raw.close();

    const ms = (s: Float64Array, q: number) => percentile(s, q).toFixed(1);
    console.log(`\nopen loop for ${o.seconds} s, hosts monitored meanwhile; oned CPU ${busy.toFixed(0)} % of one core (load ${load()})`);
    console.log(`| call | rate/s | done | p50 ms | p99 ms | started late |`);
    console.log(`|---|--:|--:|--:|--:|--:|`);
    console.log(`| one.vmpool.info, oneadmin (${(userBytes / 1e6).toFixed(1)} MB) | ${o.poolRate} | ${admin.sorted.length} | ${ms(admin.sorted, 0.5)} | ${ms(admin.sorted, 0.99)} | ${admin.late} |`);
    console.log(`| one.vmpool.info, viewer (ACL) | ${o.userPoolRate} | ${user.sorted.length} | ${ms(user.sorted, 0.5)} | ${ms(user.sorted, 0.99)} | ${user.late} |`);
    console.log(`| one.vm.info | ${o.infoRate} | ${info.sorted.length} | ${ms(info.sorted, 0.5)} | ${ms(info.sorted, 0.99)} | ${info.late} |`);
    const a = Float64Array.from(rebuilt).sort();
    const u = Float64Array.from(rebuiltUser).sort();
    console.log(`\none.vmpool.info right after a VM changed, 10 calls each: oneadmin p50 ${ms(a, 0.5)} ms, max ${a[a.length - 1]!.toFixed(1)} ms; viewer p50 ${ms(u, 0.5)} ms, max ${u[u.length - 1]!.toFixed(1)} ms`);
    console.log(`final oned RSS ${rssMb(oned.pid).toFixed(0)} MB`);
  } finally {
    await oned.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

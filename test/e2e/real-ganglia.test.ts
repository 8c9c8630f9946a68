/**
 * The ganglia IM driver against a real gmond (Debian's ganglia-monitor, installed when missing):
 * a namespace host runs gmond with a unicast configuration of its own (it sends its metrics to
 * itself over UDP and answers the XML on TCP 8649 at its address), and a real oned monitors it
 * twice: `onehost create 10.91.0.11 --im ganglia` (the host's own gmond, found by IP) and
 * `onehost create gga --im ganglia-central` (one gmond named with -g, the host found by name).
 * What must hold: both show the host's real memory and CPUs (/proc/meminfo, nproc), the VMs the
 * host publishes with remotes/im/ganglia/gmetric_vms.sh reach oned's VM, and when gmond stops
 * both go ERROR saying which gmond could not be read; when it is back, MONITORED.
 *
 * Needs root and the shared tools; skipped with the reason otherwise (a failure in CI).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { info, realSkip, TOOLS, until } from './real-host-fixture.js';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { HostState } from '../../src/host/index.js';
import { LcmState } from '../../src/vm/index.js';
import { cliOk } from './cli-helpers.js';
import { Oned } from './harness.js';

const run = promisify(execFile);

const ENV = { ONETEST_DIR: '/tmp/onetest-ganglia', ONETEST_NET: '10.91.0', ONETEST_BRIDGE: 'onetbr91' } as const;
const HOST = 'gga';
const IP = `${ENV.ONETEST_NET}.11`;
const INTERVAL = 3;
const GMETRIC_VMS = resolve(import.meta.dirname, '../../../remotes/im/ganglia/gmetric_vms.sh');
const toolEnv = { ...process.env, ...ENV, ONETEST_LIBVIRT: '0' };
const work = mkdtempSync(join(tmpdir(), 'real-ganglia-'));

async function tool(name: string, ...args: string[]): Promise<string> {
  return (await run(join(TOOLS, name), args, { env: toolEnv, maxBuffer: 1 << 24 })).stdout;
}

async function onHost(command: string): Promise<string> {
  return (await run(join(ENV.ONETEST_DIR, 'bin/onhost'), [HOST, 'sh', '-c', command], { env: toolEnv, maxBuffer: 1 << 24 })).stdout;
}

/** gmond's metric modules (Debian: /usr/lib/<multiarch>/ganglia). */
function moduleDir(): string | undefined {
  for (const lib of ['/usr/lib', '/usr/lib64']) {
    if (existsSync(join(lib, 'ganglia/modcpu.so'))) return join(lib, 'ganglia');
    for (const d of existsSync(lib) ? readdirSync(lib) : []) if (existsSync(join(lib, d, 'ganglia/modcpu.so'))) return join(lib, d, 'ganglia');
  }
  return undefined;
}

/** A unicast gmond: UDP to itself at the host's address, XML on TCP 8649 there, no multicast. */
function gmondConf(modules: string): string {
  const mod = (name: string, file: string) => `  module { name = "${name}" path = "${modules}/${file}" }`;
  return `globals {
  daemonize = no
  setuid = no
  debug_level = 0
  max_udp_msg_len = 1472
  mute = no
  deaf = no
  host_dmax = 0
  cleanup_threshold = 300
  gexec = no
  send_metadata_interval = 5
}
cluster { name = "nebula-test" }
udp_send_channel { host = ${IP}  port = 8649 }
udp_recv_channel { port = 8649  bind = ${IP} }
tcp_accept_channel { port = 8649  bind = ${IP} }
modules {
  module { name = "core_metrics" }
${mod('cpu_module', 'modcpu.so')}
${mod('load_module', 'modload.so')}
${mod('mem_module', 'modmem.so')}
${mod('net_module', 'modnet.so')}
${mod('sys_module', 'modsys.so')}
}
collection_group { collect_once = yes  time_threshold = 20
  metric { name = "cpu_num" } metric { name = "cpu_speed" } metric { name = "mem_total" } metric { name = "machine_type" } }
collection_group { collect_every = 2  time_threshold = 4
  metric { name = "cpu_idle" value_threshold = "0.1" } metric { name = "load_one" value_threshold = "0.01" }
  metric { name = "mem_free" value_threshold = "1" } metric { name = "mem_buffers" value_threshold = "1" }
  metric { name = "mem_cached" value_threshold = "1" }
  metric { name = "bytes_in" value_threshold = "1" } metric { name = "bytes_out" value_threshold = "1" } }
`;
}

async function startGmond(): Promise<void> {
  await onHost(`gmond -c ${work}/gmond.conf -p ${work}/gmond.pid >${work}/gmond.log 2>&1 &`);
}

async function stopGmond(): Promise<void> {
  await onHost(`[ -f ${work}/gmond.pid ] && kill $(cat ${work}/gmond.pid) 2>/dev/null; rm -f ${work}/gmond.pid; true`);
}

async function setUp(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (namespace hosts)';
  if (!existsSync(join(TOOLS, 'make-test-host.sh'))) return `the test-host tools are not at ${TOOLS} (set ONETEST_TOOLS)`;
  if (spawnSync('sh', ['-c', 'command -v gmond && command -v gmetric']).status !== 0) {
    // The package must not start the machine's own gmond (multicast, every address): a policy-rc.d
    // that refuses, for the time of the install, as the test-host tools do.
    const install = `p=/usr/sbin/policy-rc.d; t=; [ -e $p ] || { printf '#!/bin/sh\\nexit 101\\n' > $p; chmod +x $p; t=1; }
apt-get install -y --no-install-recommends ganglia-monitor || { apt-get update && apt-get install -y --no-install-recommends ganglia-monitor; }; rc=$?
[ -n "$t" ] && rm -f $p; exit $rc`;
    const r = spawnSync('sh', ['-c', install], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8' });
    if (r.status !== 0) return `cannot install ganglia-monitor: ${(r.stderr || '').trim().split('\n').slice(-2).join(' ')}`;
  }
  const modules = moduleDir();
  if (!modules) return "gmond's metric modules (modcpu.so) are not installed";
  writeFileSync(join(work, 'gmond.conf'), gmondConf(modules));
  try {
    await tool('make-test-host.sh', HOST, '1');
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return `the tools cannot make a host: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`;
  }
  return undefined;
}

const skip = await setUp();
if (skip) console.log(`# real-ganglia skipped: ${skip}`);

const tmpl = (x: XmlNode, name: string) => childText(child(x, 'TEMPLATE')!, name);
const capacity = (x: XmlNode, name: string) => Number(childText(child(child(x, 'MONITORING')!, 'CAPACITY')!, name));
const { MONITORED, ERROR } = HostState;

describe('hosts monitored through a real gmond (IM ganglia)', { skip: realSkip(skip) }, () => {
  let oned: Oned;
  let byIp = -1;
  let byName = -1;

  before(async () => {
    await startGmond();
    oned = await Oned.start({
      backend: 'sqlite',
      conf: `HOST_MONITORING_INTERVAL = ${INTERVAL}
HOST_MONITORING_TIMEOUT = 20
VM_POLLING_INTERVAL = 0
IM_MAD = [ NAME = "ganglia", EXECUTABLE = "one_im_ganglia", ARGUMENTS = "-t 15 -w 10" ]
IM_MAD = [ NAME = "ganglia-central", EXECUTABLE = "one_im_ganglia", ARGUMENTS = "-g ${IP}:8649 -c 2 -w 10" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy", TYPE = "xml" ]`,
    });
  });

  after(async () => {
    await oned?.stop();
    await stopGmond().catch(() => {});
    await tool('remove-test-host.sh', '--all').catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  test("onehost create --im ganglia: the host's real memory and CPUs, from its gmond", async () => {
    byIp = Number(/^ID: (\d+)$/m.exec(await cliOk(oned, 'onehost', ['create', IP, '--im', 'ganglia', '--vm', 'dummy']))![1]);
    byName = Number(/^ID: (\d+)$/m.exec(await cliOk(oned, 'onehost', ['create', HOST, '--im', 'ganglia-central', '--vm', 'dummy']))![1]);
    const nproc = Number((await onHost('nproc')).trim());
    const [memTotal, memFree, buffers, cached] = (await onHost("awk '/^(MemTotal|MemFree|Buffers|Cached):/ { print $2 }' /proc/meminfo")).trim().split('\n').map(Number);
    for (const hid of [byIp, byName]) {
      // gmond sends its first values a few seconds after it starts: rounds before fail.
      const x = await until(oned, 'host', hid, 'MONITORED', (h) => childInt(h, 'STATE') === MONITORED, 60);
      assert.equal(tmpl(x, 'HOSTNAME'), HOST, 'the name gmond reports');
      assert.equal(tmpl(x, 'ARCH'), (await onHost('uname -m')).trim());
      assert.ok(Number(tmpl(x, 'CPUSPEED')) > 0, 'CPUSPEED');
      const share = child(x, 'HOST_SHARE')!;
      assert.equal(childText(share, 'TOTAL_CPU'), String(nproc * 100), 'TOTALCPU = 100 per CPU');
      assert.equal(childText(share, 'TOTAL_MEM'), String(memTotal), 'TOTALMEMORY = MemTotal (KB)');
      const free = capacity(x, 'FREE_MEMORY');
      const used = capacity(x, 'USED_MEMORY');
      assert.equal(free + used, memTotal);
      // MemFree + Buffers + Cached, read by gmond a few seconds apart from our read
      const ours = memFree! + buffers! + cached!;
      assert.ok(free > 0 && Math.abs(free - ours) < memTotal! / 10, `FREEMEMORY ${free} KB, /proc/meminfo says ${ours} KB`);
      assert.ok(capacity(x, 'FREE_CPU') + capacity(x, 'USED_CPU') === nproc * 100, 'FREECPU + USEDCPU = TOTALCPU');
    }
    const show = await cliOk(oned, 'onehost', ['show', String(byName)]);
    assert.match(show, /IM_MAD\s+: ganglia-central/);
    assert.match(show, /STATE\s+: MONITORED/);
  });

  test('VMs published with gmetric_vms.sh reach oned', async () => {
    const vid = Number(await oned.ok('one.vm.allocate', ['NAME = "g"\nCPU = 1\nMEMORY = 128', false]));
    await oned.ok('one.vm.deploy', [vid, byName]);
    await until(oned, 'vm', vid, 'RUNNING', (x) => childInt(x, 'LCM_STATE') === LcmState.RUNNING, 30);
    // The VM poll a KVM host runs (remotes/im/kvm-probes.d/poll.sh): here a script that lists one domain.
    const poll = join(work, 'poll.sh');
    writeFileSync(poll, `#!/bin/sh\necho VM_POLL=YES\necho 'VM = [ ID=${vid}, DEPLOY_ID="one-${vid}", VM_NAME="one-${vid}", POLL="STATE=a CPU=12.5 MEMORY=131072 NETRX=4242 NETTX=17" ]'\n`);
    chmodSync(poll, 0o755);
    await onHost(`${GMETRIC_VMS} -c ${work}/gmond.conf -i 30 -- ${poll}`);
    const x = await until(oned, 'vm', vid, 'monitored through Ganglia', (v) => childText(child(v, 'MONITORING')!, 'MEMORY') === '131072', 30);
    assert.equal(childText(child(x, 'MONITORING')!, 'NETRX'), '4242');
    assert.equal(childText(child(x, 'MONITORING')!, 'CPU'), '12.5');
  });

  test('gmond stopped: both hosts ERROR, naming the gmond; started again: MONITORED', async () => {
    await stopGmond();
    for (const hid of [byIp, byName]) {
      const x = await until(oned, 'host', hid, 'ERROR', (h) => childInt(h, 'STATE') === ERROR, 30);
      console.log(`# host ${hid}: ${tmpl(x, 'ERROR')}`);
      assert.match(tmpl(x, 'ERROR'), new RegExp(`Cannot read Ganglia XML from ${IP.replaceAll('.', '\\.')}:8649: connect ECONNREFUSED`));
    }
    await startGmond();
    for (const hid of [byIp, byName]) {
      const x = await until(oned, 'host', hid, 'MONITORED again', (h) => childInt(h, 'STATE') === MONITORED, 60);
      assert.equal(tmpl(x, 'ERROR'), '');
    }
    const again = await info(oned, 'host', byIp);
    assert.ok(Number(childText(child(again, 'HOST_SHARE')!, 'TOTAL_MEM')) > 0);
  });
});

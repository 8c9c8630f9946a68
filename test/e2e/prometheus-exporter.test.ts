/**
 * opennebula-exporter with a real Prometheus (Debian's `prometheus`, installed when missing; run
 * here on a free loopback port with its own temporary config and storage, never as the system
 * service): a real oned with dummy drivers whose outcomes the test scripts, the exporter as a
 * process, and Prometheus scraping it every second with the shipped alert rules (their `for:`
 * shortened in the test's copy). Asserted through Prometheus's HTTP API: the target is up; a
 * host's, a VM's and a datastore's series carry OpenNebula's labels and oned's values; the
 * host-down alert fires when the dummy IM driver fails the host's monitoring and stops when it
 * recovers; the VM-failure alert fires for a VM whose deploy failed (BOOT_FAILURE).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { child, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { freePort, Oned } from './harness.js';
import { sleep } from './api-helpers.js';

const PROMETHEUS = '/usr/bin/prometheus';
const EXPORTER = resolve(import.meta.dirname, '../../src/monitor/exporter/main.js');
const RULES = resolve(import.meta.dirname, '../../../share/prometheus/rules.yml');

/** Installs Debian's prometheus when missing; why it cannot be had, or undefined. */
function prometheusUnavailable(): string | undefined {
  if (existsSync(PROMETHEUS)) return undefined;
  try {
    execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 prometheus'], {
      stdio: 'pipe',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    return `cannot install Debian's prometheus: ${(err as Error).message.split('\n')[0]}`;
  }
  // The package's own service (port 9090) is not what this test runs: where an init started it, stop it.
  try {
    execFileSync('sh', ['-c', 'command -v systemctl >/dev/null && systemctl is-active --quiet prometheus && systemctl disable --now prometheus'], { stdio: 'ignore' });
  } catch {
    // not running: nothing to stop
  }
  return existsSync(PROMETHEUS) ? undefined : `${PROMETHEUS} missing after installing prometheus`;
}

const skip = prometheusUnavailable();

/** A process started by the test, its output kept for failure messages. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { proc: ChildProcess; output: () => string } {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((res) => {
    proc.once('exit', () => res());
    proc.kill('SIGTERM');
  });
}

/** Waits until `check` holds (30 s at most), saying what did not happen. */
async function until<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean, seconds = 30): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (check(last)) return last;
    } catch (err) {
      last = (err as Error).message as T;
    }
    if (Date.now() > end) throw new Error(`${what} did not happen in ${seconds} s; last seen: ${JSON.stringify(last)}`);
    await sleep(250);
  }
}

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}
interface Alert {
  readonly labels: Record<string, string>;
  readonly state: string;
  readonly value: string;
}

describe('opennebula-exporter scraped by Prometheus', { skip }, () => {
  const im = mkdtempSync(join(tmpdir(), 'prom-im-'));
  const vmm = mkdtempSync(join(tmpdir(), 'prom-vmm-'));
  const promDir = mkdtempSync(join(tmpdir(), 'prom-'));
  let oned: Oned;
  let exporter: ReturnType<typeof start> | undefined;
  let prometheus: ReturnType<typeof start> | undefined;
  let api = '';
  let host = -1;
  let running = -1;
  let failed = -1;

  const query = async (q: string): Promise<Sample[]> => {
    const r = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (r.status !== 'success') throw new Error(`query ${q}: ${r.error}`);
    return r.data.result;
  };
  /** The value of the one series `q` selects, or undefined. */
  const value = async (q: string): Promise<number | undefined> => {
    const r = await query(q);
    return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
  };
  const firing = async (name: string): Promise<Alert[]> => {
    const r = (await (await fetch(`${api}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
    return r.data.alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');
  };

  before(async () => {
    oned = await Oned.start({
      backend: 'sqlite',
      conf: `HOST_MONITORING_INTERVAL = 1
HOST_MONITORING_TIMEOUT = 2
IM_MAD = [ NAME = "flaky", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-a ${im}" ]
VM_MAD = [ NAME = "flaky", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${vmm}" ]
`,
    });
    host = (await oned.ok('one.host.allocate', ['prom-node', 'flaky', 'flaky', -1])) as number;
    const ds = (await oned.ok('one.datastore.allocate', ['NAME = "prom-sys"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1])) as number;
    await until('the host MONITORED', async () => childText(parseXmlTree(String(await oned.ok('one.host.info', [host]))), 'STATE'), (s) => s === '2');
    running = (await oned.ok('one.vm.allocate', ['NAME = "prom-ok"\nCPU = 0.5\nVCPU = 2\nMEMORY = 256', false])) as number;
    await oned.ok('one.vm.deploy', [running, host, false, ds]);
    const vmState = async (id: number) => {
      const vm = parseXmlTree(String(await oned.ok('one.vm.info', [id])));
      return `${childText(vm, 'STATE')}/${childText(vm, 'LCM_STATE')}`;
    };
    await until('the first VM RUNNING', () => vmState(running), (s) => s === '3/3');
    // The second VM's deploy fails: BOOT_FAILURE (LCM state 36).
    writeFileSync(join(vmm, 'deploy'), 'failure\n');
    failed = (await oned.ok('one.vm.allocate', ['NAME = "prom-fail"\nCPU = 0.1\nMEMORY = 64', false])) as number;
    await oned.ok('one.vm.deploy', [failed, host, false, ds]);
    await until('the second VM in BOOT_FAILURE', () => vmState(failed), (s) => s === '3/36');

    const port = await freePort();
    writeFileSync(join(oned.location, 'etc', 'opennebula-exporter.conf'), 'cache_ttl: 0.5\n');
    exporter = start(process.execPath, [EXPORTER, '--port', String(port)], {
      ...process.env,
      ONE_LOCATION: oned.location,
      ONE_XMLRPC: oned.endpoint,
      ONE_AUTH: join(oned.location, 'one_auth'),
    });
    await until('the exporter serving', async () => exporter!.output(), (o) => /metrics are at http:\/\/127\.0\.0\.1:/.test(o), 20);

    // The shipped rules with every `for:` shortened to 2 s.
    writeFileSync(join(promDir, 'rules.yml'), readFileSync(RULES, 'utf8').replace(/for: \S+/g, 'for: 2s'));
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${join(promDir, 'rules.yml')}\n` +
        `scrape_configs:\n  - job_name: opennebula\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const promPort = await freePort();
    api = `http://127.0.0.1:${promPort}`;
    prometheus = start(PROMETHEUS, [
      `--config.file=${join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    await until('Prometheus answering', async () => (await fetch(`${api}/-/ready`)).status, (s) => s === 200, 30);
  });

  after(async () => {
    await stop(prometheus?.proc);
    await stop(exporter?.proc);
    await oned?.stop();
    for (const d of [im, vmm, promDir]) rmSync(d, { recursive: true, force: true });
  });

  test('the exporter is an up target of Prometheus, and the shipped rules are loaded', async () => {
    const targets = await until(
      'the target up',
      async () => ((await (await fetch(`${api}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string; labels: Record<string, string> }> } }).data.activeTargets,
      (t) => t.length === 1 && t[0]!.health === 'up',
    );
    assert.equal(targets[0]!.labels.job, 'opennebula');
    const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string }> }> } };
    const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    for (const n of ['OpenNebulaHostDown', 'OpenNebulaVMFailure', 'OpenNebulaDatastoreFull']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    assert.equal(await value('up{job="opennebula"}'), 1);
    assert.equal(await value('opennebula_oned_state'), 1);
  });

  test("a host's, a VM's and a datastore's series have OpenNebula's labels and oned's values", async () => {
    const h = parseXmlTree(String(await oned.ok('one.host.info', [host])));
    const share = child(h, 'HOST_SHARE')!;
    const hostLabel = `one_host_id="${host}"`;
    await until('the host series', () => value(`opennebula_host_state{${hostLabel}}`), (v) => v === 2);
    assert.equal(await value(`opennebula_host_mem_total_bytes{${hostLabel}}`), Number(childText(share, 'TOTAL_MEM')) * 1024);
    assert.equal(await value(`opennebula_host_cpu_total_ratio{${hostLabel}}`), Number(childText(share, 'TOTAL_CPU')));
    await until('the host usage', () => value(`opennebula_host_cpu_usage_ratio{${hostLabel}}`), (v) => v === Number(childText(share, 'CPU_USAGE')));
    assert.equal(await value(`opennebula_host_vms{${hostLabel}}`), child(h, 'VMS')!.children.length);
    assert.equal(await value('opennebula_host_total'), 1);

    const vmLabel = `one_vm_id="${running}"`;
    assert.equal(await value(`opennebula_vm_state{${vmLabel}}`), 3);
    assert.equal(await value(`opennebula_vm_lcm_state{${vmLabel}}`), 3);
    assert.equal(await value(`opennebula_vm_host_id{${vmLabel}}`), host);
    assert.equal(await value(`opennebula_vm_mem_total_bytes{${vmLabel}}`), 256 * 1024 * 1024);
    assert.equal(await value(`opennebula_vm_cpu_ratio{${vmLabel}}`), 0.5);
    assert.equal(await value(`opennebula_vm_cpu_vcpus{${vmLabel}}`), 2);
    assert.equal(await value('opennebula_vm_total'), 2);
    const series = await query(`opennebula_vm_state{${vmLabel}}`);
    assert.deepEqual(Object.keys(series[0]!.metric).sort(), ['__name__', 'instance', 'job', 'one_vm_id']);

    const ds = parseXmlTree(String(await oned.ok('one.datastore.info', [1])));
    assert.equal(await value('opennebula_datastore_total_bytes{one_datastore_id="1"}'), Number(childText(ds, 'TOTAL_MB')) * 1024 * 1024);
    // Used space moves with the disk the default datastores sit on: oned's current figure, soon.
    await until(
      "the datastore's used bytes as oned has them",
      async () => [await value('opennebula_datastore_used_bytes{one_datastore_id="1"}'), Number(childText(parseXmlTree(String(await oned.ok('one.datastore.info', [1]))), 'USED_MB')) * 1024 * 1024],
      ([p, o]) => p === o,
    );
    const dsCount = parseXmlTree(String(await oned.ok('one.datastorepool.info', []))).children.length;
    assert.equal(await value('opennebula_datastore_total'), dsCount);
  });

  test('the VM-failure alert fires for the VM whose deploy failed, not for the running one', async () => {
    const alerts = await until('OpenNebulaVMFailure firing', () => firing('OpenNebulaVMFailure'), (a) => a.length > 0);
    assert.deepEqual(alerts.map((a) => a.labels.one_vm_id), [String(failed)]);
    assert.equal(Number(alerts[0]!.value), 36);
  });

  test('the host-down alert fires when the host fails its monitoring, and stops when it recovers', async () => {
    assert.deepEqual(await firing('OpenNebulaHostDown'), []);
    writeFileSync(join(im, 'monitor'), 'failure\n');
    const alerts = await until('OpenNebulaHostDown firing', () => firing('OpenNebulaHostDown'), (a) => a.length > 0);
    assert.deepEqual(alerts.map((a) => a.labels.one_host_id), [String(host)]);
    assert.equal(alerts[0]!.labels.severity, 'critical');
    assert.equal(childText(parseXmlTree(String(await oned.ok('one.host.info', [host]))), 'STATE'), '3');

    writeFileSync(join(im, 'monitor'), 'success\n');
    await until('the host MONITORED again', async () => value(`opennebula_host_state{one_host_id="${host}"}`), (v) => v === 2);
    await until('OpenNebulaHostDown resolved', () => firing('OpenNebulaHostDown'), (a) => a.length === 0);
  });
});

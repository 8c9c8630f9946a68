/**
 * EC2 benchmark (issue 15): econe-server beside one oned (dummy drivers, oned's scheduler), driven
 * by the AWS SDK for JavaScript v3 as a user with an EC2 key pair.
 *
 *  1. RunInstances throughput: `--run` instances of one image on `--hosts` dummy hosts, one per
 *     call, from 1 and from `--clients` concurrent SDK clients; then the time until the scheduler
 *     has them all running (DescribeInstances shows `running`).
 *  2. DescribeInstances of `--vms` instances (the rest made fast with `one.vm.allocate` on hold,
 *     as the user, with the image as their disk): the whole list in one answer, and page by page
 *     (MaxResults 1000 with NextToken): time and bytes of XML the SDK received and parsed.
 *
 * Not a test: see bench/README.md.
 *
 *   node dist/bench/ec2-bench.js [--vms 10000] [--run 300] [--hosts 10] [--clients 8] [--runs 5]
 */
import { parseArgs } from 'node:util';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, type DescribeInstancesCommandOutput } from '@aws-sdk/client-ec2';
import { childText, parseXmlTree } from '../src/common/xml-tree.js';
import { Oca } from '../src/oca/index.js';
import { Oned } from '../test/e2e/harness.js';
import { addUser } from '../test/e2e/api-helpers.js';
import { ec2KeysOf, EconeProcess, type Ec2Keys } from '../test/e2e/ec2-helpers.js';
import { cpuMs, printHeading } from './bench-lib.js';

const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = 30
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 3200 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 500\nMAX_HOST = 500\n';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function options() {
  const { values } = parseArgs({
    options: {
      vms: { type: 'string', default: '10000' },
      run: { type: 'string', default: '300' },
      hosts: { type: 'string', default: '10' },
      clients: { type: 'string', default: '8' },
      runs: { type: 'string', default: '5' },
    },
  });
  const num = (k: keyof typeof values) => {
    const n = Number(values[k]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${k}: a positive whole number`);
    return n;
  };
  return { vms: num('vms'), run: num('run'), hosts: num('hosts'), clients: num('clients'), runs: num('runs') };
}

/** An SDK client that counts the bytes of every answer body it reads (a deserialize-step middleware). */
function countingClient(url: string, keys: Ec2Keys): { client: EC2Client; bytes: () => number } {
  const client = new EC2Client({ endpoint: url, region: 'one', credentials: keys, maxAttempts: 1 });
  let bytes = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const res = out.response as { body?: AsyncIterable<Uint8Array> & { pipe?: unknown } };
      if (res.body && Symbol.asyncIterator in res.body) {
        const chunks: Uint8Array[] = [];
        for await (const c of res.body) chunks.push(c);
        const buf = Buffer.concat(chunks);
        bytes += buf.length;
        const { Readable } = await import('node:stream');
        (out.response as { body: unknown }).body = Readable.from([buf]);
      }
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'countBytes' },
  );
  return { client, bytes: () => bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const instancesIn = (out: DescribeInstancesCommandOutput) => (out.Reservations ?? []).reduce((n, r) => n + (r.Instances?.length ?? 0), 0);

async function runInstances(url: string, keys: Ec2Keys, ami: string, count: number, clients: number): Promise<{ perSecond: number; p50: number; ids: string[] }> {
  const pool = Array.from({ length: clients }, () => new EC2Client({ endpoint: url, region: 'one', credentials: keys, maxAttempts: 1 }));
  const ids: string[] = [];
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    pool.map(async (c) => {
      while (next++ < count) {
        const t = performance.now();
        const out = await c.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, InstanceType: 'small' as never }));
        lat.push(performance.now() - t);
        ids.push(out.Instances![0]!.InstanceId!);
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  for (const c of pool) c.destroy();
  return { perSecond: count / s, p50: median(lat), ids };
}

async function main(): Promise<void> {
  const o = options();
  printHeading('EC2 benchmark', 'oned, its drivers and scheduler, econe-server and the SDK client', `${o.hosts} dummy hosts, ${o.run} RunInstances, DescribeInstances of ${o.vms} instances`);
  const oned = await Oned.start({ backend: 'sqlite', conf: CONF, schedConf: SCHED });
  let econe: EconeProcess | undefined;
  try {
    const admin = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
    for (let h = 0; h < o.hosts; h++) await admin.hosts.allocate(`ec2-node${h}`, 'dummy', 'dummy', -1);
    // Instances go to a system datastore whose transfer driver does nothing, through the
    // instance type's template (the default system datastore runs real transfer scripts).
    const system = Number(await oned.ok('one.datastore.allocate', ['NAME = "bench-system"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1]));
    const template = Number(await oned.ok('one.template.allocate', [`NAME = "small"\nCPU = 0.1\nMEMORY = 64\nSCHED_DS_REQUIREMENTS = "ID = ${system}"`]));
    await oned.ok('one.template.chmod', [template, 1, 1, 0, 0, 0, 0, 1, 0, 0]);
    const ds = Number(await oned.ok('one.datastore.allocate', ['NAME = "bench-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]));
    await oned.ok('one.datastore.chmod', [ds, 1, 1, 0, 1, 0, 0, 1, 0, 0]);
    const user = await addUser(oned, 'ec2bench');
    const image = Number(await oned.ok('one.image.allocate', ['NAME = "base"\nPATH = "/var/tmp/base.img"\nTYPE = "OS"', ds], user.session));
    while (childText(parseXmlTree(String(await oned.ok('one.image.info', [image]))), 'STATE') !== '1') await new Promise((r) => setTimeout(r, 50));
    const ami = `ami-${String(image).padStart(8, '0')}`;
    econe = await EconeProcess.start(oned, `instance_types:\n  small: { template: ${template} }\ndefault_instance_type: small\n`);
    const keys = await ec2KeysOf(oned, user.session);
    // Wait for the hosts' first monitoring: the scheduler needs their capacity.
    for (;;) {
      const pool = parseXmlTree(String(await oned.ok('one.hostpool.info', [])));
      if (pool.children.filter((h) => childText(h, 'STATE') === '2').length === o.hosts) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const econePid = econe.proc.pid!;

    console.log('\n## RunInstances (one instance per call)');
    let launched: string[] = [];
    for (const clients of [1, o.clients]) {
      const n = Math.max(1, Math.round(o.run / 2));
      const cpu0 = cpuMs(oned.pid);
      const e0 = cpuMs(econePid);
      const r = await runInstances(econe.url, keys, ami, n, clients);
      launched = launched.concat(r.ids);
      console.log(
        `${clients} client(s): ${n} instances, ${r.perSecond.toFixed(1)} calls/s, p50 ${r.p50.toFixed(1)} ms; CPU per call: oned ${((cpuMs(oned.pid) - cpu0) / n).toFixed(1)} ms, econe-server ${((cpuMs(econePid) - e0) / n).toFixed(1)} ms`,
      );
    }
    const sdk = countingClient(econe.url, keys);
    const t0 = performance.now();
    for (;;) {
      const out = await sdk.client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }));
      if (instancesIn(out) >= launched.length) break;
      if (performance.now() - t0 > 180_000) throw new Error(`only ${instancesIn(out)} of ${launched.length} running after 3 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`all ${launched.length} running (scheduler, dummy drivers) ${((performance.now() - t0) / 1000).toFixed(1)} s after the last RunInstances answered`);

    const more = o.vms - launched.length;
    const tFill = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        const c = new Oca({ endpoint: oned.endpoint, session: user.session });
        for (let n = next++; n < more; n = next++) await c.vms.allocate(`NAME = "held-${n}"\nCPU = 0.1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${image} ]`, true);
        c.close();
      }),
    );
    console.log(`\n${more} more VMs of the user on hold through one.vm.allocate in ${((performance.now() - tFill) / 1000).toFixed(1)} s`);

    console.log(`\n## DescribeInstances of ${o.vms} instances through the AWS SDK (median of ${o.runs})`);
    const whole: number[] = [];
    let wholeBytes = 0;
    let count = 0;
    const cpuW = cpuMs(econePid);
    const onedW = cpuMs(oned.pid);
    for (let i = 0; i < o.runs; i++) {
      const b0 = sdk.bytes();
      const t = performance.now();
      const out = await sdk.client.send(new DescribeInstancesCommand({}));
      whole.push(performance.now() - t);
      wholeBytes = sdk.bytes() - b0;
      count = instancesIn(out);
    }
    console.log(
      `one answer: ${count} instances, ${(wholeBytes / 1e6).toFixed(2)} MB of XML, median ${median(whole).toFixed(0)} ms (min ${Math.min(...whole).toFixed(0)}), including the SDK's parsing; CPU per call: econe-server ${((cpuMs(econePid) - cpuW) / o.runs).toFixed(0)} ms, oned ${((cpuMs(oned.pid) - onedW) / o.runs).toFixed(0)} ms`,
    );
    const paged: number[] = [];
    let pages = 0;
    let pagedBytes = 0;
    for (let i = 0; i < o.runs; i++) {
      const b0 = sdk.bytes();
      const t = performance.now();
      let token: string | undefined;
      let seen = 0;
      pages = 0;
      do {
        const out = await sdk.client.send(new DescribeInstancesCommand({ MaxResults: 1000, NextToken: token }));
        seen += instancesIn(out);
        pages++;
        token = out.NextToken;
      } while (token);
      paged.push(performance.now() - t);
      pagedBytes = sdk.bytes() - b0;
      if (seen !== count) throw new Error(`paging saw ${seen} instances, not ${count}`);
    }
    console.log(`paged (MaxResults 1000): ${pages} pages, ${(pagedBytes / 1e6).toFixed(2)} MB in all, median ${median(paged).toFixed(0)} ms for the whole list`);
    sdk.client.destroy();
    admin.close();
  } finally {
    await econe?.stop();
    await oned.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

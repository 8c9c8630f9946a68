/**
 * Cloud bursting with two clouds on this machine: cloud A (under test) bursts to cloud B, a
 * second nebula-ts with dummy hosts, through B's econe-server as "Amazon" (VM_MAD/IM_MAD `ec2`,
 * the AWS SDK against an EC2 endpoint) and through B's oned itself (VM_MAD/IM_MAD `one`).
 * With A's local host full, new VMs go to the hybrid host, run there (seen through B's API),
 * are monitored, powered off and resumed (Stop/Start), rebooted and terminated, leaving nothing
 * in B. Bad input: wrong credentials, an endpoint that is down, no capacity, an instance that
 * dies in B, a terminate B does not confirm (retried, finished with `onevm recover`), and an
 * instance whose VM left A without it (ended by A's monitoring).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { addUser, must, okId, okXml, sleep, type TestUser } from './api-helpers.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { freePort, Oned } from './harness.js';
import { ec2Client, ec2KeysOf, EconeProcess, type Ec2Keys } from './ec2-helpers.js';

const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n';

/** Cloud B: dummy drivers, its scheduler. */
const CONF_B =
  'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n' +
  'SCHEDULER = [ EXECUTABLE = "mm_sched" ]\nMONITORING_INTERVAL_DATASTORE = 1\n';

/** Cloud A: a small local dummy host, the hybrid drivers (terminations confirmed within 3 s, for the test). */
const CONF_A =
  'HOST_MONITORING_INTERVAL = 1\n' +
  'IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 100 -m 2048" ]\n' +
  'IM_MAD = [ NAME = "ec2", EXECUTABLE = "one_im_ec2" ]\nIM_MAD = [ NAME = "one", EXECUTABLE = "one_im_one" ]\n' +
  'VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n' +
  'VM_MAD = [ NAME = "ec2", EXECUTABLE = "one_vmm_ec2", ARGUMENTS = "-c 3", TIMEOUT = 60 ]\n' +
  'VM_MAD = [ NAME = "one", EXECUTABLE = "one_vmm_one", ARGUMENTS = "-c 3", TIMEOUT = 60 ]\n' +
  'SCHEDULER = [ EXECUTABLE = "mm_sched" ]\n';

const ECONE_CONF = `
:region: one
:default_instance_type: m1.small
:network_id: NETWORK
:instance_types:
  m1.small: { cpu: 0.1, vcpu: 1, memory: 64 }
`;

const ACTIVE = 3;
const RUNNING = 3;
const POWEROFF = 8;
const DONE = 6;
const UNKNOWN = 16;
const BOOT_FAILURE = 36;
const HOST_MONITORED = 2;
const HOST_ERROR = 3;

describe('cloud bursting: ec2 and one hybrid hosts against a second cloud', () => {
  let a: Oned;
  let b: Oned;
  let econe: EconeProcess;
  let burst: TestUser;
  let keys: Ec2Keys;
  let sdk: EC2Client;
  let ami = '';
  let remoteTemplate = -1;
  let ec2Host = -1;
  let oneHost = -1;

  /** Polls `probe` until it returns a value (not undefined); fails with `what` and the last seen. A minute: two clouds on a loaded CI machine. */
  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
      await sleep(100);
    }
  }

  const vmA = (id: number) => okXml(a, 'one.vm.info', [id]);
  const vmB = (id: number) => okXml(b, 'one.vm.info', [id]);
  const hostA = (id: number) => okXml(a, 'one.host.info', [id]);

  /** Waits for A's VM to reach state/lcm; on failure says where it is and why. */
  async function vmState(id: number, state: number, lcm = 0, ms = 60000): Promise<XmlNode> {
    let last: XmlNode | undefined;
    try {
      return await until(`VM ${id} in ${state}/${lcm}`, async () => {
        last = await vmA(id);
        return childInt(last, 'STATE') === state && childInt(last, 'LCM_STATE') === lcm ? last : undefined;
      }, ms);
    } catch (err) {
      const ut = last && must(last, 'USER_TEMPLATE');
      assert.fail(`${(err as Error).message}; it is ${childInt(last!, 'STATE')}/${childInt(last!, 'LCM_STATE')} (${ut ? childText(ut, 'ERROR') || childText(ut, 'SCHED_MESSAGE') : ''})`);
    }
  }

  async function hostState(id: number, state: number): Promise<XmlNode> {
    return until(`host ${id} in state ${state}`, async () => {
      const h = await hostA(id);
      return childInt(h, 'STATE') === state ? h : undefined;
    });
  }

  async function instances(ids?: string[]): Promise<Instance[]> {
    const r = await sdk.send(new DescribeInstancesCommand(ids ? { InstanceIds: ids } : {}));
    return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
  }

  async function instanceIn(id: string, state: string): Promise<Instance> {
    return until(`instance ${id} ${state} in B`, async () => {
      const [i] = await instances([id]);
      return i?.State?.Name === state ? i : undefined;
    });
  }

  /**
   * Waits until B's VM is RUNNING there (EC2 already says "running" in BOOT, as OpenNebula's
   * econe does): a terminate sent to B while its VM boots races the boot.
   */
  async function runningInB(remote: number): Promise<void> {
    await until(`VM ${remote} RUNNING in B`, async () => {
      const v = await vmB(remote);
      return childInt(v, 'STATE') === ACTIVE && childInt(v, 'LCM_STATE') === RUNNING ? true : undefined;
    });
  }

  /** B's VMs of the burst user that are not DONE. */
  async function liveInB(): Promise<number[]> {
    const pool = await okXml(b, 'one.vmpool.info', [-3, -1, -1, -1], burst.session);
    return pool.children.filter((c) => c.name === 'VM').map((c) => childInt(c, 'ID'));
  }

  /** A VM in A (CPU 1, MEMORY 1024, no placement hints: the scheduler decides). */
  function newVm(name: string, extra = ''): Promise<number> {
    return okId(a, 'one.vm.allocate', [`NAME = "${name}"\nCPU = 1\nMEMORY = 1024\n${extra}`]);
  }

  before(async () => {
    const started = await Promise.allSettled([Oned.start({ backend: 'sqlite', conf: CONF_A, schedConf: SCHED }), Oned.start({ backend: 'sqlite', conf: CONF_B, schedConf: SCHED })]);
    // Kept even when the other failed, so that after() stops it.
    if (started[0].status === 'fulfilled') a = started[0].value;
    if (started[1].status === 'fulfilled') b = started[1].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    // Cloud B: a roomy dummy host, an image (the AMI), a network, a template for the `one` host.
    await okId(b, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const ds = await okId(b, 'one.datastore.allocate', ['NAME = "imgs"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const bHost = await okId(b, 'one.host.allocate', ['b-node', 'dummy', 'dummy', -1]);
    const image = await okId(b, 'one.image.allocate', ['NAME = "os"\nTYPE = DATABLOCK\nSIZE = 10', ds]);
    await okId(b, 'one.image.chmod', [image, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const net = await okId(b, 'one.vn.allocate', ['NAME = "b-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.7.0.10", SIZE = 50 ]', -1]);
    await okId(b, 'one.vn.chmod', [net, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    remoteTemplate = await okId(b, 'one.template.allocate', [`NAME = "burst-small"\nCPU = 0.1\nMEMORY = 64\nNIC = [ NETWORK_ID = ${net} ]`]);
    await okId(b, 'one.template.chmod', [remoteTemplate, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    await until('B ready', async () =>
      childInt(await okXml(b, 'one.host.info', [bHost]), 'STATE') === HOST_MONITORED && childInt(await okXml(b, 'one.image.info', [image]), 'STATE') === 1 && childInt(await okXml(b, 'one.datastore.info', [0]), 'FREE_MB') > 0 ? true : undefined,
    );
    ami = `ami-${String(image).padStart(8, '0')}`;
    econe = await EconeProcess.start(b, ECONE_CONF.replace('NETWORK', String(net)));
    burst = await addUser(b, 'burst');
    keys = await ec2KeysOf(b, burst.session);
    sdk = ec2Client(econe.url, keys);

    // Cloud A: its local host, filled by one VM.
    await okId(a, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const local = await okId(a, 'one.host.allocate', ['local', 'dummy', 'dummy', -1]);
    await hostState(local, HOST_MONITORED);
    const filler = await newVm('filler');
    const placed = await vmState(filler, ACTIVE, RUNNING);
    assert.equal(childText(must(must(placed, 'HISTORY_RECORDS'), 'HISTORY'), 'HOSTNAME'), 'local');
  });

  after(async () => {
    sdk?.destroy();
    await econe?.stop();
    await Promise.allSettled([a?.stop(), b?.stop()]);
  });

  test('an ec2 host: created with the CLI, its credentials encrypted and never in the log, capacity from CAPACITY', async () => {
    const out = await cliOk(a, 'onehost', ['create', 'aws-b', '--im', 'ec2', '--vm', 'ec2']);
    ec2Host = Number(/ID: (\d+)/.exec(out)?.[1]);
    assert.ok(ec2Host >= 0, out);
    await okId(a, 'one.host.update', [
      ec2Host,
      `EC2_ACCESS = "${keys.accessKeyId}"\nEC2_SECRET = "${keys.secretAccessKey}"\nREGION_NAME = "one"\nEC2_ENDPOINT = "${econe.url}"\n` +
        `CAPACITY = [ M1_SMALL = 2 ]\nPUBLIC_CLOUD_DEFAULTS = [ AMI = "${ami}" ]`,
      1,
    ]);
    const h = await hostState(ec2Host, HOST_MONITORED);
    const share = must(h, 'HOST_SHARE');
    // Two m1.small: 2 vCPUs, 2 x 1740 MB.
    assert.equal(childInt(share, 'TOTAL_CPU'), 200);
    assert.equal(childInt(share, 'TOTAL_MEM'), 2 * 1740 * 1024);
    const template = must(h, 'TEMPLATE');
    assert.equal(childText(template, 'HYPERVISOR'), 'ec2');
    assert.equal(childText(template, 'PUBLIC_CLOUD'), 'YES');
    // Encrypted at rest and in the XML, in clear only for an admin asking to decrypt.
    assert.notEqual(childText(template, 'EC2_SECRET'), keys.secretAccessKey);
    assert.ok(!JSON.stringify(h).includes(keys.secretAccessKey));
    assert.equal(childText(must(await okXml(a, 'one.host.info', [ec2Host, true]), 'TEMPLATE'), 'EC2_SECRET'), keys.secretAccessKey);
    const list = rows(await cliOk(a, 'onehost', ['list']));
    const row = list.find((r) => r[1] === 'aws-b');
    assert.ok(row, `onehost list:\n${list.map((r) => r.join(' ')).join('\n')}`);
    assert.equal(row.at(-1), 'on');
  });

  test('with the local host full, a VM bursts to EC2: runs as an instance of B, monitored, stopped, started, rebooted, terminated', async () => {
    const vm = await newVm('burst-ec2');
    const running = await vmState(vm, ACTIVE, RUNNING);
    assert.equal(childText(must(must(running, 'HISTORY_RECORDS'), 'HISTORY'), 'HOSTNAME'), 'aws-b');
    const id = childText(running, 'DEPLOY_ID');
    assert.match(id, /^i-/);
    const inst = await instanceIn(id, 'running');
    assert.equal(inst.InstanceType, 'm1.small');
    assert.equal(inst.ImageId, ami);
    const tags = new Map((inst.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(tags.get('ONE_ID'), String(vm));
    assert.equal(tags.get('ONE_HOST'), 'aws-b');
    // Monitored: the instance's address reaches A's VM.
    assert.ok(inst.PrivateIpAddress, 'B gave the instance an address');
    await until('the instance address in the VM monitoring', async () => {
      const m = must(await vmA(vm), 'MONITORING');
      return childText(m, 'AWS_PRIVATE_IP_ADDRESS') === inst.PrivateIpAddress && childText(m, 'AWS_STATE') === 'running' ? true : undefined;
    });
    // Used capacity reported by the IM.
    await until('the used capacity the IM reports', async () => {
      const cap = must(must(await hostA(ec2Host), 'MONITORING'), 'CAPACITY');
      return childInt(cap, 'USED_CPU') === 100 && childInt(cap, 'USED_MEMORY') === 1740 * 1024 ? true : undefined;
    });

    await cliOk(a, 'onevm', ['poweroff', String(vm)]);
    await vmState(vm, POWEROFF);
    await instanceIn(id, 'stopped');
    await cliOk(a, 'onevm', ['resume', String(vm)]);
    const again = await vmState(vm, ACTIVE, RUNNING);
    assert.equal(childText(again, 'DEPLOY_ID'), id, 'the same instance is started again');
    await instanceIn(id, 'running');

    await cliOk(a, 'onevm', ['reboot', String(vm)]);
    await until('a reboot in B', async () => {
      const remote = await vmB(Number(id.slice(2)));
      const h = must(remote, 'HISTORY_RECORDS').children.at(-1)!;
      return childInt(h, 'ACTION') === 15 ? true : undefined;
    });
    await vmState(vm, ACTIVE, RUNNING);

    await cliOk(a, 'onevm', ['terminate', String(vm)]);
    await vmState(vm, DONE);
    await instanceIn(id, 'terminated');
    assert.deepEqual(await liveInB(), [], 'nothing left running in B');
    // No files went to the "host": the remote cloud keeps the instance's disks.
    const log = readFileSync(join(a.location, 'var', 'vms', String(vm), 'vm.log'), 'utf8');
    assert.match(log, /No prolog transfer: host aws-b is a public cloud/);
    assert.match(log, /No epilog transfer: host aws-b is a public cloud/);
  });

  test('bad ec2 hosts: wrong credentials and an endpoint that is down put the host in ERROR with the reason, no secret in it', async () => {
    const down = await freePort();
    const wrong = await okId(a, 'one.host.allocate', ['aws-wrong', 'ec2', 'ec2', -1]);
    const gone = await okId(a, 'one.host.allocate', ['aws-down', 'ec2', 'ec2', -1]);
    await okId(a, 'one.host.update', [wrong, `EC2_ACCESS = "${keys.accessKeyId}"\nEC2_SECRET = "not-the-secret"\nREGION_NAME = "one"\nEC2_ENDPOINT = "${econe.url}"\nCAPACITY = [ M1_SMALL = 1 ]`, 1]);
    await okId(a, 'one.host.update', [gone, `EC2_ACCESS = "${keys.accessKeyId}"\nEC2_SECRET = "${keys.secretAccessKey}"\nEC2_ENDPOINT = "http://127.0.0.1:${down}"\nCAPACITY = [ M1_SMALL = 1 ]`, 1]);
    const w = childText(must(await hostState(wrong, HOST_ERROR), 'TEMPLATE'), 'ERROR');
    assert.match(w, /EC2 http:\/\/127\.0\.0\.1:\d+\/?: \w+: /);
    assert.match(w, /signature|credential|auth/i);
    assert.ok(!w.includes('not-the-secret'));
    const g = childText(must(await hostState(gone, HOST_ERROR), 'TEMPLATE'), 'ERROR');
    assert.match(g, /ECONNREFUSED|cannot reach/i);
    assert.ok(!g.includes(keys.secretAccessKey));
    // A host without credentials says which attribute it lacks.
    const bare = await okId(a, 'one.host.allocate', ['aws-bare', 'ec2', 'ec2', -1]);
    assert.match(childText(must(await hostState(bare, HOST_ERROR), 'TEMPLATE'), 'ERROR'), /has no EC2_ACCESS in its template/);
    for (const h of [wrong, gone, bare]) await okId(a, 'one.host.delete', [h]);
    // The secret is in no log of A.
    const logs = [a.output, ...readdirSync(join(a.location, 'var')).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(a.location, 'var', f), 'utf8'))];
    for (const text of logs) assert.ok(!text.includes(keys.secretAccessKey), 'the EC2 secret is logged');
  });

  test('capacity 0: the scheduler leaves the ec2 host alone, a forced deploy fails with the reason and goes back', async () => {
    await okId(a, 'one.host.update', [ec2Host, 'CAPACITY = [ M1_SMALL = 0 ]', 1]);
    await until('MAX_CPU 0', async () => (childInt(must(await hostA(ec2Host), 'HOST_SHARE'), 'TOTAL_CPU') === 0 ? true : undefined));
    const vm = await newVm('no-room');
    await sleep(2500);
    const pending = await vmA(vm);
    assert.equal(childInt(pending, 'STATE'), 1, 'the VM waits: no host has room');
    await okId(a, 'one.vm.deploy', [vm, ec2Host, false, -1, '']);
    const failed = await vmState(vm, ACTIVE, BOOT_FAILURE);
    assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /Host aws-b has no capacity left for instance type m1\.small \(CAPACITY\/M1_SMALL = 0, 0 in use\)/);
    await cliOk(a, 'onevm', ['recover', '--delete', String(vm)]);
    await vmState(vm, DONE);
    await okId(a, 'one.host.update', [ec2Host, 'CAPACITY = [ M1_SMALL = 2 ]', 1]);
    await until('capacity back', async () => (childInt(must(await hostA(ec2Host), 'HOST_SHARE'), 'TOTAL_CPU') === 200 ? true : undefined));
    assert.deepEqual(await liveInB(), []);
  });

  test('an instance that dies in B: the VM goes UNKNOWN with B\'s reason, terminating it ends at once', async () => {
    const vm = await newVm('dies');
    const id = childText(await vmState(vm, ACTIVE, RUNNING), 'DEPLOY_ID');
    await instanceIn(id, 'running');
    await runningInB(Number(id.slice(2)));
    // B ends the instance behind A's back.
    await okId(b, 'one.vm.action', ['terminate-hard', Number(id.slice(2))], burst.session);
    const unknown = await vmState(vm, ACTIVE, UNKNOWN);
    assert.match(childText(must(unknown, 'USER_TEMPLATE'), 'ERROR'), new RegExp(`the instance ${id} is (terminated|terminating) on the remote cloud`));
    await cliOk(a, 'onevm', ['terminate', '--hard', String(vm)]);
    await vmState(vm, DONE);
    // Its capacity is given back: a new VM finds room on the host again.
    assert.equal(childInt(must(await hostA(ec2Host), 'HOST_SHARE'), 'CPU_USAGE'), 0);
  });

  test('a terminate B does not confirm fails with the reason, the instance stays known, onevm recover finishes it', async () => {
    const vm = await newVm('stubborn');
    const id = childText(await vmState(vm, ACTIVE, RUNNING), 'DEPLOY_ID');
    const down = await freePort();
    await okId(a, 'one.host.update', [ec2Host, `EC2_ENDPOINT = "http://127.0.0.1:${down}"`, 1]);
    await cliOk(a, 'onevm', ['terminate', String(vm)]);
    let seen: XmlNode | undefined;
    await until('the failed terminate', async () => {
      const v = (seen = await vmA(vm));
      // Back where it was: RUNNING, or UNKNOWN while the host cannot be monitored either.
      const back = [RUNNING, UNKNOWN].includes(childInt(v, 'LCM_STATE'));
      return back && /has not confirmed that instance i-\w+ is terminated.*it may still run/.test(childText(must(v, 'USER_TEMPLATE'), 'ERROR')) ? true : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}: ${childInt(seen!, 'STATE')}/${childInt(seen!, 'LCM_STATE')} ${childText(must(seen!, 'USER_TEMPLATE'), 'ERROR')}`));
    await instanceIn(id, 'running');
    await okId(a, 'one.host.update', [ec2Host, `EC2_ENDPOINT = "${econe.url}"`, 1]);
    await cliOk(a, 'onevm', ['recover', '--delete', String(vm)]);
    await vmState(vm, DONE);
    await instanceIn(id, 'terminated');
    await hostState(ec2Host, HOST_MONITORED);
  });

  test('an instance whose VM left A without it (deleted while B was away) is ended by A\'s monitoring', async () => {
    const vm = await newVm('orphan');
    const id = childText(await vmState(vm, ACTIVE, RUNNING), 'DEPLOY_ID');
    await okId(a, 'one.host.update', [ec2Host, `EC2_ENDPOINT = "http://127.0.0.1:${await freePort()}"`, 1]);
    // delete-db: oned forgets the VM at once, asking no driver.
    await okId(a, 'one.vm.recover', [vm, 5]);
    await instanceIn(id, 'running');
    await okId(a, 'one.host.update', [ec2Host, `EC2_ENDPOINT = "${econe.url}"`, 1]);
    await instanceIn(id, 'terminated');
    assert.deepEqual(await liveInB(), []);
    await hostState(ec2Host, HOST_MONITORED);
  });

  test('a one host: a VM bursts to B\'s oned, runs as B\'s VM, monitored, powered off, resumed, rebooted, terminated', async () => {
    await okId(a, 'one.host.status', [ec2Host, 1]);
    const out = await cliOk(a, 'onehost', ['create', 'one-b', '--im', 'one', '--vm', 'one']);
    oneHost = Number(/ID: (\d+)/.exec(out)?.[1]);
    await okId(a, 'one.host.update', [
      oneHost,
      `ONE_USER = "burst"\nONE_PASSWORD = "${burst.password}"\nONE_ENDPOINT = "${b.endpoint}"\nONE_CAPACITY = [ CPU = 2, MEMORY = 4096 ]\n` +
        `PUBLIC_CLOUD_DEFAULTS = [ TEMPLATE_ID = "${remoteTemplate}" ]`,
      1,
    ]);
    const h = await hostState(oneHost, HOST_MONITORED);
    assert.equal(childInt(must(h, 'HOST_SHARE'), 'TOTAL_CPU'), 200);
    assert.equal(childText(must(h, 'TEMPLATE'), 'HYPERVISOR'), 'one');
    assert.notEqual(childText(must(h, 'TEMPLATE'), 'ONE_PASSWORD'), burst.password);

    const vm = await newVm('burst-one');
    const running = await vmState(vm, ACTIVE, RUNNING);
    assert.equal(childText(must(must(running, 'HISTORY_RECORDS'), 'HISTORY'), 'HOSTNAME'), 'one-b');
    const remote = Number(childText(running, 'DEPLOY_ID'));
    const r = await until('B runs the VM', async () => {
      const v = await vmB(remote);
      return childInt(v, 'STATE') === ACTIVE && childInt(v, 'LCM_STATE') === RUNNING ? v : undefined;
    });
    assert.equal(childText(must(r, 'USER_TEMPLATE'), 'ONE_ID'), String(vm));
    assert.equal(childText(r, 'UNAME'), 'burst');
    const ip = childText(must(must(r, 'TEMPLATE'), 'NIC'), 'IP');
    await until('B\'s address in A\'s monitoring', async () => (childText(must(await vmA(vm), 'MONITORING'), 'OPENNEBULA_IP') === ip ? true : undefined));

    await cliOk(a, 'onevm', ['poweroff', String(vm)]);
    await vmState(vm, POWEROFF);
    assert.equal(childInt(await vmB(remote), 'STATE'), POWEROFF);
    await cliOk(a, 'onevm', ['resume', String(vm)]);
    await vmState(vm, ACTIVE, RUNNING);
    await until('B runs it again', async () => (childInt(await vmB(remote), 'LCM_STATE') === RUNNING ? true : undefined));
    await cliOk(a, 'onevm', ['reboot', String(vm)]);
    await until('a reboot in B', async () => (childInt(must(await vmB(remote), 'HISTORY_RECORDS').children.at(-1)!, 'ACTION') === 15 ? true : undefined));
    await cliOk(a, 'onevm', ['terminate', String(vm)]);
    await vmState(vm, DONE);
    assert.equal(childInt(await vmB(remote), 'STATE'), DONE);
    assert.deepEqual(await liveInB(), []);
  });

  test('bad one hosts: a wrong password puts the host in ERROR; no capacity fails the deploy; a VM B ends goes UNKNOWN with the reason', async () => {
    const wrong = await okId(a, 'one.host.allocate', ['one-wrong', 'one', 'one', -1]);
    await okId(a, 'one.host.update', [wrong, `ONE_USER = "burst"\nONE_PASSWORD = "nope"\nONE_ENDPOINT = "${b.endpoint}"\nONE_CAPACITY = [ CPU = 1, MEMORY = 1024 ]`, 1]);
    const err = childText(must(await hostState(wrong, HOST_ERROR), 'TEMPLATE'), 'ERROR');
    assert.match(err, /authenticated/i);
    assert.ok(!err.includes('nope'));
    await okId(a, 'one.host.delete', [wrong]);

    await okId(a, 'one.host.update', [oneHost, 'ONE_CAPACITY = [ CPU = 0, MEMORY = 0 ]', 1]);
    await until('no capacity', async () => (childInt(must(await hostA(oneHost), 'HOST_SHARE'), 'TOTAL_CPU') === 0 ? true : undefined));
    const vm = await newVm('no-room-one');
    await okId(a, 'one.vm.deploy', [vm, oneHost, false, -1, '']);
    const failed = await vmState(vm, ACTIVE, BOOT_FAILURE);
    assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /Host one-b has no capacity left for VM \d+ \(CPU 1, MEMORY 1024 MB\): ONE_CAPACITY is CPU 0, MEMORY 0 MB/);
    await cliOk(a, 'onevm', ['recover', '--delete', String(vm)]);
    await vmState(vm, DONE);
    assert.deepEqual(await liveInB(), []);
    // A remote VM that B ends (it leaves B's listing): the VM goes UNKNOWN with what B says of it.
    await okId(a, 'one.host.update', [oneHost, 'ONE_CAPACITY = [ CPU = 2, MEMORY = 4096 ]', 1]);
    await until('capacity back', async () => (childInt(must(await hostA(oneHost), 'HOST_SHARE'), 'TOTAL_CPU') === 200 ? true : undefined));
    const dies = await newVm('dies-in-b');
    const remote = Number(childText(await vmState(dies, ACTIVE, RUNNING), 'DEPLOY_ID'));
    await runningInB(remote);
    await okId(b, 'one.vm.action', ['terminate-hard', remote], burst.session);
    const unknown = await vmState(dies, ACTIVE, UNKNOWN);
    assert.match(childText(must(unknown, 'USER_TEMPLATE'), 'ERROR'), new RegExp(`the instance ${remote} is (terminated|terminating) on the remote cloud`));
    await cliOk(a, 'onevm', ['terminate', '--hard', String(dies)]);
    await vmState(dies, DONE);
    const shown = await cli(a, 'onehost', ['show', String(oneHost)]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /one-b/);
  });
});

/**
 * The EC2 Query API as AWS tools meet it: oned (dummy drivers, the scheduler, a dummy host, an
 * image datastore with an image, a network) and econe-server as processes, driven by the AWS
 * SDK for JavaScript v3 and Debian's AWS CLI v2: key pairs, RunInstances with user data (seen
 * in the VM's context), DescribeInstances with filters and tags, stop/start/reboot/terminate
 * with EC2's states, tags; refusals (signatures, users, times, actions, parameters, another
 * user's instance, quotas with nothing left behind, a body too large).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyPairCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeTagsCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  TerminateInstancesCommand,
  EC2Client,
  type Instance,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { childInt, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { addUser, must, okId, okXml, sleep, type TestUser } from './api-helpers.js';
import { cli } from './cli-helpers.js';
import { FEATURE_BACKENDS, Oned } from './harness.js';
import { awsEc2, ec2Client, ec2KeysOf, EconeProcess, signedFetch, type Ec2Keys } from './ec2-helpers.js';

const CONF =
  'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n' +
  'SCHEDULER = [ EXECUTABLE = "mm_sched" ]\nMONITORING_INTERVAL_DATASTORE = 1\n';
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n';

const ECONE_CONF = `
:region: one
:default_instance_type: t2.micro
:network_id: NETWORK
:max_body_size: 65536
:instance_types:
  t2.micro: { cpu: 0.1, vcpu: 1, memory: 64 }
  m1.small: { cpu: 0.2, vcpu: 1, memory: 128 }
  web: { template: "ec2-web", memory: 96 }
`;

// A feature suite: on the feature backends of the run (SQLite by default), with the scheduler.
for (const backend of FEATURE_BACKENDS) describe(`EC2 Query API (econe-server) on ${backend}`, () => {
  let oned: Oned;
  let econe: EconeProcess;
  let alice: TestUser;
  let aliceKeys: Ec2Keys;
  let bobKeys: Ec2Keys;
  let sdk: EC2Client;
  let ami: string;
  let launched: string[] = [];
  let keyMaterial = '';

  before(async () => {
    oned = await Oned.start({ backend, conf: CONF, schedConf: SCHED });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const ds = await okId(oned, 'one.datastore.allocate', ['NAME = "ec2-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const host = await okId(oned, 'one.host.allocate', ['ec2-host', 'dummy', 'dummy', -1]);
    const image = await okId(oned, 'one.image.allocate', ['NAME = "ec2-os"\nTYPE = DATABLOCK\nSIZE = 100', ds]);
    await okId(oned, 'one.image.chmod', [image, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const net = await okId(oned, 'one.vn.allocate', ['NAME = "ec2-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.9.0.10", SIZE = 50 ]', -1]);
    await okId(oned, 'one.vn.chmod', [net, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const until = Date.now() + 15000;
    const ready = async () =>
      childInt(await okXml(oned, 'one.host.info', [host]), 'STATE') === 2 && childInt(await okXml(oned, 'one.image.info', [image]), 'STATE') === 1 && childInt(await okXml(oned, 'one.datastore.info', [0]), 'FREE_MB') > 0;
    while (!(await ready())) {
      if (Date.now() > until) assert.fail('host not MONITORED, image not READY or the system datastore not monitored');
      await sleep(50);
    }
    ami = `ami-${String(image).padStart(8, '0')}`;
    // The template of the "web" instance type, shared by oneadmin.
    const tmpl = await okId(oned, 'one.template.allocate', ['NAME = "ec2-web"\nCPU = 0.1\nMEMORY = 32\nCONTEXT = [ SITE = "nebula", NETWORK = "YES" ]\nNIC = [ NETWORK_ID = ' + net + ' ]']);
    await okId(oned, 'one.template.chmod', [tmpl, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    econe = await EconeProcess.start(oned, ECONE_CONF.replace('NETWORK', String(net)));
    alice = await addUser(oned, 'alice');
    aliceKeys = await ec2KeysOf(oned, alice.session);
    const bob = await addUser(oned, 'bob');
    bobKeys = await ec2KeysOf(oned, bob.session);
    sdk = ec2Client(econe.url, aliceKeys);
  });

  after(async () => {
    sdk?.destroy();
    await econe?.stop();
    await oned?.stop();
  });

  /** Alice's instances as the SDK reads them. */
  async function instances(ids?: string[]): Promise<Instance[]> {
    const r = await sdk.send(new DescribeInstancesCommand(ids ? { InstanceIds: ids } : {}));
    return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
  }

  async function untilState(ids: string[], state: string, ms = 20000): Promise<Instance[]> {
    const end = Date.now() + ms;
    for (;;) {
      const list = await instances(ids);
      if (list.length === ids.length && list.every((i) => i.State?.Name === state)) return list;
      if (Date.now() > end) {
        const why = await Promise.all(ids.map(async (id) => childText(must(await okXml(oned, 'one.vm.info', [Number(id.slice(2))]), 'USER_TEMPLATE'), 'SCHED_MESSAGE')));
        assert.fail(`instances ${ids.join(', ')} not ${state}: ${list.map((i) => `${i.InstanceId}=${i.State?.Name}`).join(', ')} (${why.join('; ')})\n${econe.output}`);
      }
      await sleep(200);
    }
  }

  test('regions, zones (clusters) and instance types', async () => {
    const regions = await sdk.send(new DescribeRegionsCommand({}));
    assert.deepEqual(regions.Regions?.map((r) => r.RegionName), ['one']);
    const zones = await sdk.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(zones.AvailabilityZones?.map((z) => [z.ZoneName, z.State, z.RegionName]), [['default', 'available', 'one']]);
    const types = await sdk.send(new DescribeInstanceTypesCommand({}));
    assert.deepEqual(types.InstanceTypes?.map((t) => [t.InstanceType, t.VCpuInfo?.DefaultVCpus, t.MemoryInfo?.SizeInMiB]), [['t2.micro', 1, 64], ['m1.small', 1, 128], ['web', undefined, 96]]);
    const cli = await awsEc2(econe.url, aliceKeys, ['describe-availability-zones']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { AvailabilityZones: Array<{ ZoneName: string }> }).AvailabilityZones[0]!.ZoneName, 'default');
  });

  test('key pairs: create (an RSA key the private half of), import with the CLI, describe, delete', async () => {
    const made = await sdk.send(new CreateKeyPairCommand({ KeyName: 'alice-key' }));
    assert.equal(made.KeyName, 'alice-key');
    assert.match(made.KeyMaterial ?? '', /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
    assert.match(made.KeyFingerprint ?? '', /^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    keyMaterial = made.KeyMaterial!;
    const priv = createPrivateKey(keyMaterial);
    assert.equal(priv.asymmetricKeyDetails?.modulusLength, 2048);
    await assert.rejects(sdk.send(new CreateKeyPairCommand({ KeyName: 'alice-key' })), { name: 'InvalidKeyPair.Duplicate' });

    // The stored public key is the private key's.
    const user = parseXmlTree(String(await oned.ok('one.user.info', [alice.id])));
    const stored = user.children.find((c) => c.name === 'TEMPLATE')!.children.find((c) => c.name === 'EC2_KEYPAIRS')!;
    const line = childText(stored, 'PUBLIC_KEY_1');
    const dir = mkdtempSync(join(tmpdir(), 'ec2-key-'));
    try {
      const keyFile = join(dir, 'k.pem');
      writeFileSync(keyFile, keyMaterial, { mode: 0o600 });
      const derived = execFileSync('/usr/bin/ssh-keygen', ['-y', '-f', keyFile]).toString().trim();
      assert.equal(line, derived.split(' ').slice(0, 2).join(' '));
      // Import an ed25519 key made by ssh-keygen, with the CLI.
      execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ed'), '-C', 'test']);
      const imported = await awsEc2(econe.url, aliceKeys, ['import-key-pair', '--key-name', 'alice-ed', '--public-key-material', `fileb://${join(dir, 'ed.pub')}`]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal((JSON.parse(imported.stdout) as { KeyName: string }).KeyName, 'alice-ed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const listed = await sdk.send(new DescribeKeyPairsCommand({}));
    assert.deepEqual(listed.KeyPairs?.map((k) => [k.KeyName, k.KeyType]), [['alice-key', 'rsa'], ['alice-ed', 'ed25519']]);
    assert.equal(listed.KeyPairs?.[0]?.KeyFingerprint, made.KeyFingerprint);
    await sdk.send(new DeleteKeyPairCommand({ KeyName: 'alice-ed' }));
    assert.deepEqual((await sdk.send(new DescribeKeyPairsCommand({}))).KeyPairs?.map((k) => k.KeyName), ['alice-key']);
    await assert.rejects(sdk.send(new DescribeKeyPairsCommand({ KeyNames: ['alice-ed'] })), { name: 'InvalidKeyPair.NotFound' });
    // Bob sees none of alice's keys.
    const bobs = await ec2Client(econe.url, bobKeys).send(new DescribeKeyPairsCommand({}));
    assert.deepEqual(bobs.KeyPairs ?? [], []);
  });

  test('RunInstances with user data, a key and tags: the context carries them; pending, then running', async () => {
    const userData = '#!/bin/sh\necho "hello from EC2" > /tmp/hello\n';
    const r = await sdk.send(
      new RunInstancesCommand({
        ImageId: ami,
        MinCount: 2,
        MaxCount: 2,
        InstanceType: 'm1.small',
        KeyName: 'alice-key',
        UserData: Buffer.from(userData).toString('base64'),
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }, { Key: 'tier', Value: 'front & <back>' }] }],
      }),
    );
    assert.match(r.ReservationId ?? '', /^r-[0-9a-f]{17}$/);
    assert.equal(r.Instances?.length, 2);
    launched = r.Instances!.map((i) => i.InstanceId!);
    for (const [n, i] of r.Instances!.entries()) {
      assert.match(i.InstanceId!, /^i-\d{8}$/);
      assert.equal(i.ImageId, ami);
      assert.equal(i.InstanceType, 'm1.small');
      assert.equal(i.KeyName, 'alice-key');
      assert.equal(i.AmiLaunchIndex, n);
      assert.deepEqual(i.State, { Code: 0, Name: 'pending' });
      assert.ok(i.LaunchTime instanceof Date && Math.abs(i.LaunchTime.getTime() - Date.now()) < 60000);
      assert.deepEqual(i.Tags?.map((t) => [t.Key, t.Value]), [['Name', 'web'], ['tier', 'front & <back>']]);
    }
    // The VM in oned: its size from the type, the image as its disk, and the context.
    const vmId = Number(launched[0]!.slice(2));
    const vm = parseXmlTree(String(await oned.ok('one.vm.info', [vmId])));
    const tmpl = vm.children.find((c) => c.name === 'TEMPLATE')!;
    const ctx = tmpl.children.find((c) => c.name === 'CONTEXT')!;
    assert.equal(childText(vm, 'UNAME'), 'alice');
    assert.equal(childText(tmpl, 'MEMORY'), '128');
    assert.equal(childText(tmpl.children.find((c) => c.name === 'DISK')!, 'IMAGE_ID'), ami.slice(4).replace(/^0+(?=\d)/, ''));
    assert.equal(Buffer.from(childText(ctx, 'EC2_USER_DATA'), 'base64').toString(), userData);
    assert.equal(Buffer.from(childText(ctx, 'USER_DATA'), 'base64').toString(), userData);
    assert.equal(childText(ctx, 'USERDATA_ENCODING'), 'base64');
    assert.equal(childText(ctx, 'EC2_KEYNAME'), 'alice-key');
    assert.match(childText(ctx, 'SSH_PUBLIC_KEY'), /^ssh-rsa AAAA/);
    const running = await untilState(launched, 'running');
    for (const i of running) {
      assert.deepEqual(i.State, { Code: 16, Name: 'running' });
      assert.match(i.PrivateIpAddress ?? '', /^10\.9\.0\.\d+$/);
      assert.equal(i.Placement?.AvailabilityZone, 'default');
    }
  });

  test("an instance type of a VM template: the template's context kept, the type's memory over the template's", async () => {
    const r = await sdk.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, InstanceType: 'web' as never, UserData: Buffer.from('hi').toString('base64') }));
    const id = r.Instances![0]!.InstanceId!;
    assert.equal(r.Instances![0]!.InstanceType, 'web');
    const vm = parseXmlTree(String(await oned.ok('one.vm.info', [Number(id.slice(2))])));
    const tmpl = must(vm, 'TEMPLATE');
    const ctx = must(tmpl, 'CONTEXT');
    assert.equal(childText(tmpl, 'MEMORY'), '96');
    assert.equal(childText(ctx, 'SITE'), 'nebula');
    assert.equal(Buffer.from(childText(ctx, 'EC2_USER_DATA'), 'base64').toString(), 'hi');
    assert.equal(childText(must(tmpl, 'DISK'), 'IMAGE_ID'), String(Number(ami.slice(4))));
    assert.equal(childText(vm, 'UNAME'), 'alice');
    await sdk.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  });

  test('DescribeInstances with filters and tags, through the SDK and the CLI', async () => {
    const one = await sdk.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1 }));
    const other = one.Instances![0]!.InstanceId!;
    assert.equal(one.Instances![0]!.InstanceType, 't2.micro', 'the default type');
    const byTag = await sdk.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['web'] }] }));
    assert.deepEqual(byTag.Reservations?.flatMap((r) => r.Instances!.map((i) => i.InstanceId)).sort(), [...launched].sort());
    const byKey = await sdk.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['tier'] }, { Name: 'instance-id', Values: [launched[1]!] }] }));
    assert.deepEqual(byKey.Reservations?.flatMap((r) => r.Instances!.map((i) => i.InstanceId)), [launched[1]]);
    const wild = await sdk.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:tier', Values: ['front*'] }] }));
    assert.equal(wild.Reservations?.flatMap((r) => r.Instances ?? []).length, 2);
    const all = await instances();
    assert.deepEqual(all.filter((i) => i.State?.Name !== 'terminated').map((i) => i.InstanceId).sort(), [...launched, other].sort());
    assert.ok(all.some((i) => (i.InstanceType as string) === 'web' && ['shutting-down', 'terminated'].includes(i.State!.Name!)), 'a terminated instance stays listed for a while');
    const page = await sdk.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    assert.equal(page.NextToken, undefined, 'four fit in a page of five');
    // Pages: three more make seven, read five and two by the SDK's paginator.
    const more = await sdk.send(new RunInstancesCommand({ ImageId: ami, MinCount: 3, MaxCount: 3, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'batch', Value: 'pages' }] }] }));
    const pages: string[][] = [];
    for await (const p of paginateDescribeInstances({ client: sdk, pageSize: 5 }, {})) pages.push((p.Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!)));
    assert.deepEqual(pages.map((p) => p.length), [5, 2]);
    assert.deepEqual(pages.flat().sort(), all.map((i) => i.InstanceId!).concat(more.Instances!.map((i) => i.InstanceId!)).sort());
    await sdk.send(new TerminateInstancesCommand({ InstanceIds: more.Instances!.map((i) => i.InstanceId!) }));

    const cli = await awsEc2(econe.url, aliceKeys, ['describe-instances', '--filters', 'Name=instance-state-name,Values=running', 'Name=tag:Name,Values=web']);
    assert.equal(cli.code, 0, cli.stderr);
    const parsed = JSON.parse(cli.stdout) as { Reservations: Array<{ Instances: Array<{ InstanceId: string; State: { Name: string; Code: number }; Tags: Array<{ Key: string }> }> }> };
    const got = parsed.Reservations.flatMap((r) => r.Instances);
    assert.deepEqual(got.map((i) => i.InstanceId).sort(), [...launched].sort());
    assert.ok(got.every((i) => i.State.Code === 16 && i.Tags.some((t) => t.Key === 'Name')));
    await sdk.send(new DescribeInstancesCommand({ InstanceIds: [other] }));
    const term = await awsEc2(econe.url, aliceKeys, ['terminate-instances', '--instance-ids', other]);
    assert.equal(term.code, 0, term.stderr);
    const t = JSON.parse(term.stdout) as { TerminatingInstances: Array<{ InstanceId: string; PreviousState: { Name: string }; CurrentState: { Name: string; Code: number } }> };
    assert.equal(t.TerminatingInstances[0]!.InstanceId, other);
    assert.ok(['running', 'pending'].includes(t.TerminatingInstances[0]!.PreviousState.Name));
    assert.ok(['shutting-down', 'terminated'].includes(t.TerminatingInstances[0]!.CurrentState.Name), term.stdout);
    await untilState([other], 'terminated');
  });

  test('tags: CreateTags, DescribeTags, DeleteTags', async () => {
    await sdk.send(new CreateTagsCommand({ Resources: launched, Tags: [{ Key: 'env', Value: 'test' }] }));
    const tags = await sdk.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }] }));
    assert.deepEqual(tags.Tags?.map((t) => [t.ResourceId, t.ResourceType, t.Key, t.Value]), launched.map((id) => [id, 'instance', 'env', 'test']).sort());
    await sdk.send(new DeleteTagsCommand({ Resources: [launched[0]!], Tags: [{ Key: 'env', Value: 'other' }] }));
    assert.equal((await sdk.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [launched[0]!] }, { Name: 'key', Values: ['env'] }] }))).Tags?.length, 1, 'a value given must match');
    await sdk.send(new DeleteTagsCommand({ Resources: [launched[0]!], Tags: [{ Key: 'env' }] }));
    const left = await sdk.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [launched[0]!] }] }));
    assert.deepEqual(left.Tags?.map((t) => t.Key), ['Name', 'tier']);
    await assert.rejects(sdk.send(new CreateTagsCommand({ Resources: ['i-99999999'], Tags: [{ Key: 'a', Value: 'b' }] })), { name: 'InvalidInstanceID.NotFound' });
  });

  test('stop (CLI), start (SDK), reboot: EC2 states on the way', async () => {
    const stop = await awsEc2(econe.url, aliceKeys, ['stop-instances', '--instance-ids', launched[0]!]);
    assert.equal(stop.code, 0, stop.stderr);
    const s = (JSON.parse(stop.stdout) as { StoppingInstances: Array<{ PreviousState: { Code: number; Name: string }; CurrentState: { Code: number; Name: string } }> }).StoppingInstances[0]!;
    assert.deepEqual(s.PreviousState, { Code: 16, Name: 'running' });
    assert.ok([64, 80].includes(s.CurrentState.Code), JSON.stringify(s));
    await untilState([launched[0]!], 'stopped');
    await assert.rejects(sdk.send(new RebootInstancesCommand({ InstanceIds: [launched[0]!] })), { name: 'IncorrectInstanceState' });
    const start = await sdk.send(new StartInstancesCommand({ InstanceIds: [launched[0]!] }));
    assert.deepEqual(start.StartingInstances?.[0]?.PreviousState, { Code: 80, Name: 'stopped' });
    assert.ok(['pending', 'running'].includes(start.StartingInstances?.[0]?.CurrentState?.Name ?? ''));
    await untilState([launched[0]!], 'running');
    await sdk.send(new RebootInstancesCommand({ InstanceIds: launched }));
  });

  test("another user's instance is not found, and never listed", async () => {
    const bob = ec2Client(econe.url, bobKeys);
    try {
      await assert.rejects(bob.send(new DescribeInstancesCommand({ InstanceIds: [launched[0]!] })), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, 'InvalidInstanceID.NotFound');
        assert.equal(err.$metadata?.httpStatusCode, 400);
        assert.match(err.message, new RegExp(launched[0]!));
        return true;
      });
      assert.deepEqual((await bob.send(new DescribeInstancesCommand({}))).Reservations ?? [], []);
      const cli = await awsEc2(econe.url, bobKeys, ['terminate-instances', '--instance-ids', launched[1]!]);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /InvalidInstanceID\.NotFound/);
      assert.equal((await instances([launched[1]!]))[0]!.State?.Name, 'running', 'still running');
    } finally {
      bob.destroy();
    }
  });

  test('all or nothing: a launch over the quota leaves no VM', async () => {
    const carol = await addUser(oned, 'carol');
    await okId(oned, 'one.user.quota', [carol.id, 'VM = [ VMS = 2, CPU = -1, MEMORY = -1, RUNNING_VMS = -1, RUNNING_CPU = -1, RUNNING_MEMORY = -1, SYSTEM_DISK_SIZE = -1 ]']);
    const c = ec2Client(econe.url, await ec2KeysOf(oned, carol.session));
    try {
      await assert.rejects(c.send(new RunInstancesCommand({ ImageId: ami, MinCount: 3, MaxCount: 3 })), (err: Error) => {
        assert.equal(err.name, 'InstanceLimitExceeded');
        return true;
      });
      const pool = parseXmlTree(String(await oned.ok('one.vmpool.info', [carol.id, -1, -1, -1])));
      assert.deepEqual(pool.children.filter((v) => v.name === 'VM').map((v) => childText(v, 'ID')), [], 'no VM of carol is left');
      assert.deepEqual((await c.send(new DescribeInstancesCommand({}))).Reservations ?? [], []);
      // Within the quota it works.
      const ok = await c.send(new RunInstancesCommand({ ImageId: ami, MinCount: 2, MaxCount: 2 }));
      assert.equal(ok.Instances?.length, 2);
    } finally {
      c.destroy();
    }
  });

  test('refusals: bad signature, unknown user, expired time, unknown action, missing and malformed parameters, body too large', async () => {
    const wrong = ec2Client(econe.url, { accessKeyId: 'alice', secretAccessKey: 'not-the-secret' });
    await assert.rejects(wrong.send(new DescribeRegionsCommand({})), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'SignatureDoesNotMatch');
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    });
    wrong.destroy();
    const nobody = await awsEc2(econe.url, { accessKeyId: 'nobody', secretAccessKey: 'x' }, ['describe-regions']);
    assert.notEqual(nobody.code, 0);
    assert.match(nobody.stderr, /AuthFailure/);

    const old = await signedFetch(econe.url, aliceKeys, { Action: 'DescribeRegions', Version: '2016-11-15' }, { date: new Date(Date.now() - 3600_000) });
    assert.equal(old.status, 400);
    assert.match(old.body, /<Code>RequestExpired<\/Code>/);
    assert.match(old.body, /clock/);
    assert.ok(old.headers.get('x-amzn-requestid'));

    const unknown = await signedFetch(econe.url, aliceKeys, { Action: 'LaunchRockets', Version: '2016-11-15' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body, /^<\?xml[^>]*>\s*<Response><Errors><Error><Code>UnsupportedOperation<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);

    await assert.rejects(sdk.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1 } as never)), { name: 'MissingParameter' });
    await assert.rejects(sdk.send(new RunInstancesCommand({ ImageId: 'ami-12', MinCount: 1, MaxCount: 1 })), { name: 'InvalidAMIID.Malformed' });
    await assert.rejects(sdk.send(new RunInstancesCommand({ ImageId: 'ami-00009999', MinCount: 1, MaxCount: 1 })), { name: 'InvalidAMIID.NotFound' });
    await assert.rejects(sdk.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, InstanceType: 'x9.huge' as never })), { name: 'InvalidParameterValue' });
    await assert.rejects(sdk.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, UserData: 'not base64!' })), { name: 'InvalidParameterValue' });
    await assert.rejects(sdk.send(new DescribeInstancesCommand({ InstanceIds: ['i-xyz'] })), { name: 'InvalidInstanceID.Malformed' });
    await assert.rejects(sdk.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })), { name: 'InvalidParameterValue' });

    const big = await signedFetch(econe.url, aliceKeys, { Action: 'DescribeRegions', Version: '2016-11-15', Padding: 'x'.repeat(70_000) });
    assert.equal(big.status, 413);
    assert.match(big.body, /<Code>RequestEntityTooLarge<\/Code>/);

    // A presigned GET (the query string carries the signature).
    const pre = await signedFetch(econe.url, aliceKeys, { Action: 'DescribeAvailabilityZones', Version: '2014-10-01', 'ZoneName.1': 'default' }, { presign: true });
    assert.equal(pre.status, 200, pre.body);
    assert.match(pre.body, /^<\?xml[^>]*>\s*<DescribeAvailabilityZonesResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2014-10-01\/"><requestId>[0-9a-f-]{36}<\/requestId><availabilityZoneInfo><item><zoneName>default<\/zoneName>/);
    const late = await signedFetch(econe.url, aliceKeys, { Action: 'DescribeRegions' }, { presign: true, date: new Date(Date.now() - 600_000) });
    assert.equal(late.status, 400);
    assert.match(late.body, /<Code>RequestExpired<\/Code>/);
    const otherRegion = await signedFetch(econe.url, aliceKeys, { Action: 'DescribeRegions' }, { region: 'us-east-1' });
    assert.equal(otherRegion.status, 401);
    assert.match(otherRegion.body, /<Code>AuthFailure<\/Code><Message>[^<]*region/);
    const unsigned = await fetch(`${econe.url}?Action=DescribeRegions`);
    assert.equal(unsigned.status, 401);

    // Signature version 2 (older tools) is accepted too.
    const v2 = await signedFetch(econe.url, aliceKeys, { Action: 'DescribeRegions', Version: '2012-12-01' }, { v2: true });
    assert.equal(v2.status, 200, v2.body);
    assert.match(v2.body, /<DescribeRegionsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2012-12-01\/">/);
    const v2bad = await signedFetch(econe.url, { ...aliceKeys, secretAccessKey: 'wrong' }, { Action: 'DescribeRegions' }, { v2: true });
    assert.equal(v2bad.status, 403);
  });

  test('a rotated secret works at once; the old one is refused', async () => {
    const dave = await addUser(oned, 'dave');
    const keys = await ec2KeysOf(oned, dave.session);
    const before = await signedFetch(econe.url, keys, { Action: 'DescribeRegions' });
    assert.equal(before.status, 200, before.body);
    await sleep(2100); // the server trusts a secret it has just read for two seconds
    const auth = join(oned.location, 'dave_auth');
    writeFileSync(auth, `${dave.session}\n`);
    const rotated = await cli(oned, 'oneuser', ['ec2-key', '--rotate'], { ONE_AUTH: auth });
    assert.equal(rotated.code, 0, rotated.stderr);
    const next = { accessKeyId: 'dave', secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(rotated.stdout)![1]! };
    assert.notEqual(next.secretAccessKey, keys.secretAccessKey);
    const after = await signedFetch(econe.url, next, { Action: 'DescribeRegions' });
    assert.equal(after.status, 200, after.body);
    const old = await signedFetch(econe.url, keys, { Action: 'DescribeRegions' });
    assert.equal(old.status, 403);
    assert.match(old.body, /SignatureDoesNotMatch/);
  });

  test('HTTPS with the certificate and key of econe.conf', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ec2-tls-'));
    let tls: EconeProcess | undefined;
    try {
      const [cert, key, conf] = ['cert.pem', 'key.pem', 'econe-tls.conf'].map((f) => join(dir, f)) as [string, string, string];
      execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      writeFileSync(conf, `ssl_cert: ${cert}\nssl_key: ${key}\n`);
      tls = await EconeProcess.start(oned, undefined, ['--conf', conf]);
      assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const client = new EC2Client({ endpoint: tls.url, region: 'one', credentials: aliceKeys, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca: readFileSync(cert) }) }) });
      try {
        const r = await client.send(new DescribeRegionsCommand({}));
        assert.deepEqual(r.Regions?.map((x) => x.RegionName), ['one']);
      } finally {
        client.destroy();
      }
    } finally {
      await tls?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('terminate: shutting-down, then terminated; the VM ends in oned', async () => {
    const term = await awsEc2(econe.url, aliceKeys, ['terminate-instances', '--instance-ids', ...launched]);
    assert.equal(term.code, 0, term.stderr);
    await untilState(launched, 'terminated');
    for (const id of launched) assert.equal(childInt(await okXml(oned, 'one.vm.info', [Number(id.slice(2))]), 'STATE'), 6, 'DONE');
  });
});

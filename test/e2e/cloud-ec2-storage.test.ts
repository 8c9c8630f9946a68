/**
 * EC2 storage and networking as AWS tools meet them: oned (dummy host and VMM, the scheduler,
 * an `fs` image datastore that really copies files, an instance network and an elastic-IP
 * network) and econe-server as processes, driven by the AWS SDK for JavaScript v3 and Debian's
 * AWS CLI v2: UploadImage (multipart, signed as the 3.x econe-upload signs), RegisterImage,
 * DescribeImages, CreateImage from a running instance, DeregisterImage; volumes created,
 * attached, detached, deleted; snapshots of a free and of an attached volume, and a volume made
 * from one; elastic IPs through the configured scripts (which record their arguments); security
 * groups and their rules as OpenNebula RULEs; tags; and the refusals (missing or malformed
 * parameters, another user's objects, states that forbid an action).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachVolumeCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateImageCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  DisassociateAddressCommand,
  RegisterImageCommand,
  ReleaseAddressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Image,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
import { childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { addUser, okId, okXml, sleep, type TestUser } from './api-helpers.js';
import { FEATURE_BACKENDS, Oned } from './harness.js';
import { awsEc2, ec2Client, ec2KeysOf, EconeProcess, type Ec2Keys } from './ec2-helpers.js';

const CONF =
  'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n' +
  'SCHEDULER = [ EXECUTABLE = "mm_sched" ]\nMONITORING_INTERVAL_DATASTORE = 1\n';
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n';

/** Until `check` answers something (not undefined), every 100 ms, at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The lines each run of the recording script wrote (one argument per line, runs ended by ---). */
function runsOf(log: string): string[][] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('---\n').filter((r) => r !== '').map((r) => r.replace(/\n$/, '').split('\n'));
}

for (const backend of FEATURE_BACKENDS) describe(`EC2 storage and networking (econe-server) on ${backend}`, () => {
  let oned: Oned;
  let econe: EconeProcess;
  let alice: TestUser;
  let aliceKeys: Ec2Keys;
  let bobKeys: Ec2Keys;
  let sdk: EC2Client;
  let bobSdk: EC2Client;
  let dir: string;
  let fsDs: number;
  let eipNet: number;
  let instance = '';
  let ami = '';
  const upload = randomBytes(256 * 1024);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ec2-storage-'));
    oned = await Oned.start({ backend, conf: CONF, schedConf: SCHED });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    // Files really copied (DS_MAD fs), disks moved by the dummy transfer driver.
    fsDs = await okId(oned, 'one.datastore.allocate', ['NAME = "ec2-fs"\nDS_MAD = "fs"\nTM_MAD = "dummy"', -1]);
    await okId(oned, 'one.datastore.chmod', [fsDs, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const host = await okId(oned, 'one.host.allocate', ['ec2-host', 'dummy', 'dummy', -1]);
    const net = await okId(oned, 'one.vn.allocate', ['NAME = "ec2-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.9.0.10", SIZE = 50 ]', -1]);
    await okId(oned, 'one.vn.chmod', [net, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    // The elastic IPs: oneadmin's network, users cannot touch it themselves.
    eipNet = await okId(oned, 'one.vn.allocate', ['NAME = "ec2-eip"\nVN_MAD = "dummy"\nBRIDGE = "br1"\nAR = [ TYPE = "IP4", IP = "192.0.2.1", SIZE = 3 ]', -1]);
    // The scripts record each argument on a line of their log, and --- after each run.
    for (const s of ['associate', 'disassociate']) {
      writeFileSync(join(dir, s), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> '${join(dir, `${s}.log`)}'\necho --- >> '${join(dir, `${s}.log`)}'\n`);
      chmodSync(join(dir, s), 0o755);
    }
    await until('host MONITORED and the system datastore monitored', async () =>
      childInt(await okXml(oned, 'one.host.info', [host]), 'STATE') === 2 && childInt(await okXml(oned, 'one.datastore.info', [0]), 'FREE_MB') > 0 ? true : undefined,
    );
    econe = await EconeProcess.start(
      oned,
      [
        'region: one',
        'default_instance_type: t2.micro',
        `network_id: ${net}`,
        `datastore_id: ${fsDs}`,
        `elasticips_vnet_id: ${eipNet}`,
        `associate_script: ${join(dir, 'associate')}`,
        `disassociate_script: ${join(dir, 'disassociate')}`,
        'ebs_fstype: ext4',
        'instance_types:',
        '  t2.micro: { cpu: 0.1, vcpu: 1, memory: 64 }',
        '',
      ].join('\n'),
    );
    alice = await addUser(oned, 'alice');
    aliceKeys = await ec2KeysOf(oned, alice.session);
    const bob = await addUser(oned, 'bob');
    bobKeys = await ec2KeysOf(oned, bob.session);
    sdk = ec2Client(econe.url, aliceKeys);
    bobSdk = ec2Client(econe.url, bobKeys);
  });

  after(async () => {
    sdk?.destroy();
    bobSdk?.destroy();
    await econe?.stop();
    await oned?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An image as oned shows it (oneadmin). */
  const imageXml = async (ec2Id: string): Promise<XmlNode> => okXml(oned, 'one.image.info', [Number(ec2Id.replace(/^\w+-/, ''))]);

  async function imageState(id: string, state: string): Promise<Image> {
    return until(`${id} ${state}`, async () => {
      const im = (await sdk.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0];
      if (im?.State === 'failed') assert.fail(`${id} failed: ${im.StateReason?.Message}`);
      return im?.State === state ? im : undefined;
    });
  }

  async function volumeState(id: string, state: string, attachment?: string): Promise<Volume> {
    return until(`${id} ${state}`, async () => {
      const v = (await sdk.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes?.[0];
      return v?.State === state && (attachment === undefined || v.Attachments?.[0]?.State === attachment) ? v : undefined;
    });
  }

  async function snapshotState(id: string, state: string): Promise<Snapshot> {
    return until(`${id} ${state}`, async () => {
      const s = (await sdk.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0];
      return s?.State === state ? s : undefined;
    });
  }

  /** UploadImage as OpenNebula's econe-upload sends it: a multipart form, Signature V2 over its fields. */
  async function uploadImage(keys: Ec2Keys, file: Buffer | undefined, fields: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const u = new URL(econe.url);
    const params: Record<string, string> = {
      Action: 'UploadImage',
      Version: '2016-11-15',
      AWSAccessKeyId: keys.accessKeyId,
      SignatureVersion: '2',
      SignatureMethod: 'HmacSHA256',
      Timestamp: new Date().toISOString(),
      ...fields,
    };
    const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonical = Object.entries(params).map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) form.set(k, v);
    form.set('Signature', createHmac('sha256', keys.secretAccessKey).update(`POST\n${u.host}\n/\n${canonical}`).digest('base64'));
    if (file) form.set('file', new Blob([file]), 'my disk.img');
    const r = await fetch(econe.url, { method: 'POST', body: form });
    return { status: r.status, body: await r.text() };
  }

  test('UploadImage copies the file into the datastore; RegisterImage and DescribeImages (SDK and CLI)', async () => {
    const r = await uploadImage(aliceKeys, upload, { Name: 'alice-os' });
    assert.equal(r.status, 200, r.body);
    const answer = parseXmlTree(r.body);
    assert.equal(answer.name, 'UploadImageResponse');
    ami = childText(answer, 'imageId');
    assert.match(ami, /^ami-\d{8}$/);
    const im = await imageState(ami, 'available');
    assert.deepEqual([im.Name, im.OwnerId, im.ImageType, im.Public], ['alice-os', String(alice.id), 'machine', false]);
    // The datastore has its own copy of exactly what was sent; the upload itself is cleaned up.
    const x = await imageXml(ami);
    assert.deepEqual([childInt(x, 'TYPE'), childInt(x, 'DATASTORE_ID'), childInt(x, 'UID')], [0, fsDs, alice.id]);
    assert.deepEqual(readFileSync(childText(x, 'SOURCE')), upload);
    await until('the uploaded file removed', async () => (existsSync(childText(x, 'PATH')) ? undefined : true), 10000);

    // RegisterImage of the uploaded image: the same AMI, renamed and described.
    const reg = await sdk.send(new RegisterImageCommand({ ImageLocation: ami, Name: 'alice-base', Description: 'base system' }));
    assert.equal(reg.ImageId, ami);
    const desc = await sdk.send(new DescribeImagesCommand({ Owners: ['self'] }));
    assert.deepEqual(desc.Images?.map((i) => [i.ImageId, i.Name, i.Description, i.State]), [[ami, 'alice-base', 'base system', 'available']]);
    const byName = await sdk.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['alice-*'] }] }));
    assert.deepEqual(byName.Images?.map((i) => i.ImageId), [ami]);
    const cli = await awsEc2(econe.url, aliceKeys, ['describe-images', '--owners', 'self', '--image-ids', ami]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).Images.map((i: Image) => [i.ImageId, i.State]), [[ami, 'available']]);

    // A disabled image is not listed, and RegisterImage enables it again.
    await okId(oned, 'one.image.enable', [Number(ami.slice(4)), false]);
    assert.deepEqual((await sdk.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images, []);
    await sdk.send(new RegisterImageCommand({ ImageLocation: ami, Name: 'alice-base' }));
    await imageState(ami, 'available');

    // Bob neither sees nor changes alice's private image; bad ids and uploads are refused.
    assert.deepEqual((await bobSdk.send(new DescribeImagesCommand({}))).Images?.map((i) => i.ImageId).includes(ami), false);
    await assert.rejects(bobSdk.send(new DescribeImagesCommand({ ImageIds: [ami] })), { name: 'InvalidAMIID.NotFound' });
    await assert.rejects(bobSdk.send(new RegisterImageCommand({ ImageLocation: ami, Name: 'mine-now' })), { name: 'InvalidAMIID.NotFound' });
    await assert.rejects(bobSdk.send(new DeregisterImageCommand({ ImageId: ami })), { name: 'InvalidAMIID.NotFound' });
    await assert.rejects(sdk.send(new DescribeImagesCommand({ ImageIds: ['ami-12'] })), { name: 'InvalidAMIID.Malformed' });
    await assert.rejects(sdk.send(new RegisterImageCommand({ Name: 'no-location' } as never)), { name: 'MissingParameter' });
    await assert.rejects(sdk.send(new RegisterImageCommand({ ImageLocation: ami, Name: 'x' })), { name: 'InvalidParameterValue' });
    const noFile = await uploadImage(aliceKeys, undefined);
    assert.equal(noFile.status, 400);
    assert.match(noFile.body, /<Code>MissingParameter<\/Code>.*file/s);
    const forged = await uploadImage({ accessKeyId: aliceKeys.accessKeyId, secretAccessKey: 'wrong' }, upload);
    assert.equal(forged.status, 403, forged.body);
    assert.match(forged.body, /SignatureDoesNotMatch/);
  });

  test('CreateImage saves a running instance\'s disk as a new AMI (SDK and CLI); DeregisterImage', async () => {
    const run = await sdk.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1 }));
    instance = run.Instances![0]!.InstanceId!;
    await until(`${instance} running`, async () => {
      const r = await sdk.send(new DescribeInstancesCommand({ InstanceIds: [instance] }));
      return r.Reservations?.[0]?.Instances?.[0]?.State?.Name === 'running' ? true : undefined;
    });
    // EC2's "running" includes BOOT, where oned refuses disk-saveas: wait for RUNNING itself.
    await until(`${instance} RUNNING in oned`, async () => (childInt(await okXml(oned, 'one.vm.info', [Number(instance.slice(2))]), 'LCM_STATE') === 3 ? true : undefined));
    const made = await sdk.send(new CreateImageCommand({ InstanceId: instance, Name: 'alice-saved', Description: 'from web', TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'Name', Value: 'saved' }] }] }));
    assert.match(made.ImageId!, /^ami-\d{8}$/);
    const saved = await imageState(made.ImageId!, 'available');
    assert.deepEqual([saved.Name, saved.Description, saved.SourceInstanceId, saved.Tags], ['alice-saved', 'from web', instance, [{ Key: 'Name', Value: 'saved' }]]);
    const x = await imageXml(made.ImageId!);
    assert.equal(childText(x.children.find((c) => c.name === 'TEMPLATE')!, 'SAVED_VM_ID'), instance.slice(2).replace(/^0+(?=\d)/, ''));
    // The name is taken now; the instance must be the caller's.
    await assert.rejects(sdk.send(new CreateImageCommand({ InstanceId: instance, Name: 'alice-saved' })), { name: 'InvalidAMIName.Duplicate' });
    await assert.rejects(bobSdk.send(new CreateImageCommand({ InstanceId: instance, Name: 'bob-copy' })), { name: 'InvalidInstanceID.NotFound' });
    await assert.rejects(sdk.send(new CreateImageCommand({ InstanceId: instance } as never)), { name: 'MissingParameter' });
    const cli = await awsEc2(econe.url, aliceKeys, ['create-image', '--instance-id', instance, '--name', 'alice-cli']);
    assert.equal(cli.code, 0, cli.stderr);
    const cliAmi = JSON.parse(cli.stdout).ImageId as string;
    await imageState(cliAmi, 'available');
    await sdk.send(new DeregisterImageCommand({ ImageId: cliAmi }));
    await until(`${cliAmi} gone`, async () => ((await sdk.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images?.some((i) => i.ImageId === cliAmi) ? undefined : true));
    const page = await sdk.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5 }));
    assert.equal(page.Images?.length, 2);
  });

  test('volumes: create, attach to the instance, in use, detach, delete', async () => {
    const created = await sdk.send(new CreateVolumeCommand({ Size: 1, AvailabilityZone: 'default', TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'data' }] }] }));
    const vol = created.VolumeId!;
    assert.match(vol, /^vol-\d{8}$/);
    assert.deepEqual([created.Size, created.State, created.AvailabilityZone], [1, 'creating', 'default']);
    const ready = await volumeState(vol, 'available');
    assert.deepEqual([ready.Size, ready.Tags, ready.Attachments], [1, [{ Key: 'Name', Value: 'data' }], []]);
    const x = await imageXml(vol);
    const t = x.children.find((c) => c.name === 'TEMPLATE')!;
    assert.deepEqual([childInt(x, 'TYPE'), childInt(x, 'PERSISTENT'), childInt(x, 'SIZE'), childText(x, 'FS'), childText(t, 'EBS_VOLUME')], [2, 1, 1024, 'ext4', 'YES']);
    // A volume is no AMI, and bad input is refused.
    await assert.rejects(sdk.send(new DescribeImagesCommand({ ImageIds: [`ami-${vol.slice(4)}`] })), { name: 'InvalidAMIID.NotFound' });
    await assert.rejects(sdk.send(new RunInstancesCommand({ ImageId: `ami-${vol.slice(4)}`, MinCount: 1, MaxCount: 1 })), { name: 'InvalidAMIID.NotFound' });
    await assert.rejects(sdk.send(new CreateVolumeCommand({ AvailabilityZone: 'default' })), { name: 'MissingParameter' });
    await assert.rejects(sdk.send(new CreateVolumeCommand({ Size: 0, AvailabilityZone: 'default' })), { name: 'InvalidParameterValue' });
    await assert.rejects(sdk.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: instance, Device: '/dev/../sda' })), { name: 'InvalidParameterValue' });
    await assert.rejects(bobSdk.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: instance, Device: '/dev/sdf' })), { name: 'InvalidVolume.NotFound' });
    await assert.rejects(sdk.send(new DetachVolumeCommand({ VolumeId: vol })), { name: 'IncorrectState' });

    const att = await sdk.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: instance, Device: '/dev/sdf' }));
    assert.deepEqual([att.VolumeId, att.InstanceId, att.Device, att.State], [vol, instance, '/dev/sdf', 'attaching']);
    const used = await volumeState(vol, 'in-use', 'attached');
    assert.deepEqual(used.Attachments?.map((a) => [a.InstanceId, a.Device, a.State]), [[instance, '/dev/sdf', 'attached']]);
    const vm = await okXml(oned, 'one.vm.info', [Number(instance.slice(2))]);
    const disks = vm.children.find((c) => c.name === 'TEMPLATE')!.children.filter((c) => c.name === 'DISK');
    assert.ok(disks.some((d) => childText(d, 'IMAGE_ID') === String(Number(vol.slice(4))) && childText(d, 'TARGET') === 'sdf'), 'the VM has the disk as sdf');
    const filtered = await sdk.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instance] }, { Name: 'tag:Name', Values: ['data'] }] }));
    assert.deepEqual(filtered.Volumes?.map((v) => v.VolumeId), [vol]);
    await assert.rejects(sdk.send(new DeleteVolumeCommand({ VolumeId: vol })), { name: 'VolumeInUse' });
    await assert.rejects(sdk.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: instance, Device: '/dev/sdg' })), { name: 'VolumeInUse' });

    const det = await sdk.send(new DetachVolumeCommand({ VolumeId: vol, InstanceId: instance }));
    assert.deepEqual([det.VolumeId, det.InstanceId, det.State], [vol, instance, 'detaching']);
    await volumeState(vol, 'available');
    await sdk.send(new DeleteVolumeCommand({ VolumeId: vol }));
    await until(`${vol} deleted`, async () => {
      try {
        await sdk.send(new DescribeVolumesCommand({ VolumeIds: [vol] }));
        return undefined;
      } catch (err) {
        return (err as Error).name === 'InvalidVolume.NotFound' ? true : undefined;
      }
    });

  });

  test('snapshots: of a free volume (a copy), of an attached one (the disk saved), a volume from a snapshot; delete (SDK and CLI)', async () => {
    const vol = (await sdk.send(new CreateVolumeCommand({ Size: 1, AvailabilityZone: 'default' }))).VolumeId!;
    await volumeState(vol, 'available');
    const snap = await sdk.send(new CreateSnapshotCommand({ VolumeId: vol, Description: 'nightly', TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'k', Value: 'v' }] }] }));
    assert.match(snap.SnapshotId!, /^snap-\d{8}$/);
    assert.deepEqual([snap.VolumeId, snap.Description, snap.OwnerId, snap.VolumeSize], [vol, 'nightly', String(alice.id), 1]);
    const done = await snapshotState(snap.SnapshotId!, 'completed');
    assert.deepEqual([done.Progress, done.Tags], ['100%', [{ Key: 'k', Value: 'v' }]]);
    // The copy is a snapshot only: no volume, no AMI.
    assert.deepEqual((await sdk.send(new DescribeVolumesCommand({}))).Volumes?.map((v) => v.VolumeId), [vol]);
    await assert.rejects(sdk.send(new DescribeVolumesCommand({ VolumeIds: [`vol-${snap.SnapshotId!.slice(5)}`] })), { name: 'InvalidVolume.NotFound' });

    // A volume from the snapshot.
    const restored = await sdk.send(new CreateVolumeCommand({ SnapshotId: snap.SnapshotId!, AvailabilityZone: 'default' }));
    const back = await volumeState(restored.VolumeId!, 'available');
    assert.deepEqual([back.SnapshotId, back.Size, back.Tags], [snap.SnapshotId, 1, []]);
    assert.equal(childInt(await imageXml(restored.VolumeId!), 'PERSISTENT'), 1);

    // An attached volume: the instance's disk saved while it runs.
    await sdk.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: instance, Device: '/dev/sdi' }));
    await volumeState(vol, 'in-use', 'attached');
    const hot = await sdk.send(new CreateSnapshotCommand({ VolumeId: vol }));
    await snapshotState(hot.SnapshotId!, 'completed');
    const hx = await imageXml(hot.SnapshotId!);
    assert.equal(childText(hx.children.find((c) => c.name === 'TEMPLATE')!, 'SAVED_VM_ID'), String(Number(instance.slice(2))));
    const listed = await sdk.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [vol] }] }));
    assert.deepEqual(listed.Snapshots?.map((s) => s.SnapshotId).sort(), [snap.SnapshotId, hot.SnapshotId].sort());

    await assert.rejects(bobSdk.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap.SnapshotId!] })), { name: 'InvalidSnapshot.NotFound' });
    await assert.rejects(bobSdk.send(new DeleteSnapshotCommand({ SnapshotId: snap.SnapshotId! })), { name: 'InvalidSnapshot.NotFound' });
    await assert.rejects(sdk.send(new CreateSnapshotCommand({} as never)), { name: 'MissingParameter' });
    await assert.rejects(sdk.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-x' })), { name: 'InvalidSnapshot.Malformed' });

    const cli = await awsEc2(econe.url, aliceKeys, ['describe-snapshots', '--owner-ids', 'self', '--snapshot-ids', hot.SnapshotId!]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).Snapshots.map((s: Snapshot) => [s.SnapshotId, s.State, s.VolumeId]), [[hot.SnapshotId, 'completed', vol]]);
    const del = await awsEc2(econe.url, aliceKeys, ['delete-snapshot', '--snapshot-id', hot.SnapshotId!]);
    assert.equal(del.code, 0, del.stderr);
    await sdk.send(new DeleteSnapshotCommand({ SnapshotId: snap.SnapshotId! }));
    await until('snapshots deleted', async () => ((await sdk.send(new DescribeSnapshotsCommand({}))).Snapshots?.length === 0 ? true : undefined));
    await sdk.send(new DetachVolumeCommand({ VolumeId: vol }));
    await volumeState(vol, 'available');
    for (const v of [vol, restored.VolumeId!]) await sdk.send(new DeleteVolumeCommand({ VolumeId: v }));
  });

  test('elastic IPs: allocate, associate (the script gets the addresses and the network), disassociate, release; the network runs out', async () => {
    const a = await sdk.send(new AllocateAddressCommand({}));
    assert.equal(a.PublicIp, '192.0.2.1');
    assert.match(a.AllocationId!, /^eipalloc-\d{8,}$/);
    const lease = (await okXml(oned, 'one.vn.info', [eipNet])).children.find((c) => c.name === 'AR_POOL')!.children[0]!;
    assert.ok(JSON.stringify(lease).includes('192.0.2.1'), 'the address is held in the network');

    await sdk.send(new AssociateAddressCommand({ PublicIp: a.PublicIp!, InstanceId: instance }));
    const inst = (await sdk.send(new DescribeInstancesCommand({ InstanceIds: [instance] }))).Reservations![0]!.Instances![0]!;
    assert.equal(inst.PublicIpAddress, '192.0.2.1');
    const runs = runsOf(join(dir, 'associate.log'));
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]!.slice(0, 2), ['192.0.2.1', inst.PrivateIpAddress]);
    const vnetXml = parseXmlTree(Buffer.from(runs[0]![2]!, 'base64').toString('utf8'));
    assert.deepEqual([vnetXml.name, childInt(vnetXml, 'ID')], ['VNET', eipNet]);
    const listed = await sdk.send(new DescribeAddressesCommand({}));
    assert.deepEqual(listed.Addresses?.map((x) => [x.PublicIp, x.InstanceId, x.PrivateIpAddress, x.AllocationId]), [['192.0.2.1', instance, inst.PrivateIpAddress, a.AllocationId]]);
    // Bob sees none of it and cannot take it.
    assert.deepEqual((await bobSdk.send(new DescribeAddressesCommand({}))).Addresses, []);
    await assert.rejects(bobSdk.send(new ReleaseAddressCommand({ PublicIp: a.PublicIp! })), { name: 'InvalidAddress.NotFound' });
    await assert.rejects(bobSdk.send(new AssociateAddressCommand({ PublicIp: a.PublicIp!, InstanceId: instance })), { name: 'InvalidInstanceID.NotFound' });

    await sdk.send(new DisassociateAddressCommand({ PublicIp: a.PublicIp! }));
    assert.deepEqual(runsOf(join(dir, 'disassociate.log')), [['192.0.2.1']]);
    assert.equal((await sdk.send(new DescribeAddressesCommand({ PublicIps: [a.PublicIp!] }))).Addresses?.[0]?.InstanceId, undefined);
    await assert.rejects(sdk.send(new DisassociateAddressCommand({ PublicIp: a.PublicIp! })), { name: 'InvalidAssociationID.NotFound' });

    // Three addresses in the network: the fourth allocation fails, nothing half-made.
    const b = await sdk.send(new AllocateAddressCommand({}));
    const c = await bobSdk.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await assert.rejects(sdk.send(new AllocateAddressCommand({})), { name: 'AddressLimitExceeded' });
    assert.deepEqual((await bobSdk.send(new DescribeAddressesCommand({}))).Addresses?.map((x) => [x.PublicIp, x.Domain]), [[c.PublicIp, 'vpc']]);
    await bobSdk.send(new ReleaseAddressCommand({ AllocationId: c.AllocationId! }));
    await sdk.send(new ReleaseAddressCommand({ PublicIp: b.PublicIp! }));
    await sdk.send(new ReleaseAddressCommand({ PublicIp: a.PublicIp! }));
    assert.deepEqual((await sdk.send(new DescribeAddressesCommand({}))).Addresses, []);
    await assert.rejects(sdk.send(new ReleaseAddressCommand({})), { name: 'MissingParameter' });

  });

  test('security groups: create, authorize and revoke ingress and egress as OpenNebula RULEs, describe, delete', async () => {
    const g = await sdk.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web servers' }));
    const gid = g.GroupId!;
    assert.match(gid, /^sg-\d{8}$/);
    await assert.rejects(sdk.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again' })), { name: 'InvalidGroup.Duplicate' });
    await sdk.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: gid,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 90, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '192.168.1.0/24' }] },
        { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    }));
    const rules = async () =>
      (await okXml(oned, 'one.secgroup.info', [Number(gid.slice(3))])).children.find((c) => c.name === 'TEMPLATE')!.children
        .filter((c) => c.name === 'RULE')
        .map((r) => Object.fromEntries(r.children.map((k) => [k.name, k.text])));
    assert.deepEqual(await rules(), [
      { PROTOCOL: 'ALL', RULE_TYPE: 'outbound' },
      { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22' },
      { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '80:90', IP: '10.0.0.0', SIZE: '16777216' },
      { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '80:90', IP: '192.168.1.0', SIZE: '256' },
      { PROTOCOL: 'ICMP', RULE_TYPE: 'inbound', ICMP_TYPE: '8' },
    ]);
    const d = (await sdk.send(new DescribeSecurityGroupsCommand({ GroupIds: [gid] }))).SecurityGroups![0]!;
    assert.deepEqual([d.GroupName, d.Description, d.OwnerId], ['web', 'web servers', String(alice.id)]);
    assert.deepEqual(d.IpPermissions?.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges?.map((r) => r.CidrIp)]), [
      ['tcp', 22, 22, ['0.0.0.0/0']],
      ['tcp', 80, 90, ['10.0.0.0/8', '192.168.1.0/24']],
      ['icmp', 8, -1, ['0.0.0.0/0']],
    ]);
    assert.deepEqual(d.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges?.map((r) => r.CidrIp)]), [['-1', ['0.0.0.0/0']]]);
    await assert.rejects(sdk.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })), { name: 'InvalidPermission.Duplicate' });
    await assert.rejects(sdk.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.300/8' }] }] })), { name: 'InvalidParameterValue' });
    await assert.rejects(sdk.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: 'gre', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })), { name: 'InvalidParameterValue' });
    await assert.rejects(sdk.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: gid })), { name: 'MissingParameter' });
    await assert.rejects(sdk.send(new RevokeSecurityGroupIngressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })), { name: 'InvalidPermission.NotFound' });
    await assert.rejects(bobSdk.send(new DescribeSecurityGroupsCommand({ GroupIds: [gid] })), { name: 'InvalidGroup.NotFound' });
    await assert.rejects(bobSdk.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })), { name: 'InvalidGroup.NotFound' });
    await assert.rejects(sdk.send(new DeleteSecurityGroupCommand({ GroupId: 'sg-x' })), { name: 'InvalidGroupId.Malformed' });

    // Revoke one CIDR of the 80-90 permission; swap the egress rule for HTTPS only.
    await sdk.send(new RevokeSecurityGroupIngressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 90, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] }));
    await sdk.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    await sdk.send(new RevokeSecurityGroupEgressCommand({ GroupId: gid, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    assert.deepEqual(await rules(), [
      { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22' },
      { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '80:90', IP: '192.168.1.0', SIZE: '256' },
      { PROTOCOL: 'ICMP', RULE_TYPE: 'inbound', ICMP_TYPE: '8' },
      { PROTOCOL: 'TCP', RULE_TYPE: 'outbound', RANGE: '443' },
    ]);
    const byFilter = await sdk.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.from-port', Values: ['22'] }] }));
    assert.deepEqual(byFilter.SecurityGroups?.map((s) => s.GroupId), [gid]);
    // OpenNebula's default group is listed (shared) but only administrators change it.
    const all = await sdk.send(new DescribeSecurityGroupsCommand({}));
    assert.deepEqual(all.SecurityGroups?.map((s) => [s.GroupId, s.GroupName]), [['sg-00000000', 'default'], [gid, 'web']]);
    await assert.rejects(sdk.send(new DeleteSecurityGroupCommand({ GroupName: 'default' })), { name: 'UnauthorizedOperation' });

    // In use by a network: DependencyViolation; free again: deleted.
    const net = await okId(oned, 'one.vn.allocate', [`NAME = "sg-net"\nVN_MAD = "dummy"\nBRIDGE = "br2"\nSECURITY_GROUPS = "${Number(gid.slice(3))}"`, -1]);
    await assert.rejects(sdk.send(new DeleteSecurityGroupCommand({ GroupId: gid })), { name: 'DependencyViolation' });
    await okId(oned, 'one.vn.delete', [net]);
    await sdk.send(new DeleteSecurityGroupCommand({ GroupName: 'web' }));
    await assert.rejects(sdk.send(new DescribeSecurityGroupsCommand({ GroupIds: [gid] })), { name: 'InvalidGroup.NotFound' });

  });

  test("the same through Debian's AWS CLI v2: volumes, elastic IPs and security groups (three flows at once)", async () => {
    const aws = async (...args: string[]) => {
      const r = await awsEc2(econe.url, aliceKeys, args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout ? JSON.parse(r.stdout) : {};
    };
    const volumes = async () => {
      const v2 = (await aws('create-volume', '--size', '2', '--availability-zone', 'default')).VolumeId as string;
      await volumeState(v2, 'available');
      assert.equal((await aws('attach-volume', '--volume-id', v2, '--instance-id', instance, '--device', '/dev/sdh')).State, 'attaching');
      await volumeState(v2, 'in-use', 'attached');
      const listed = await sdk.send(new DescribeVolumesCommand({ VolumeIds: [v2] }));
      assert.deepEqual(listed.Volumes?.map((v) => [v.Size, v.State, v.Attachments?.[0]?.Device]), [[2, 'in-use', '/dev/sdh']]);
      assert.equal((await aws('detach-volume', '--volume-id', v2)).State, 'detaching');
      await volumeState(v2, 'available');
      await aws('delete-volume', '--volume-id', v2);
    };
    const addresses = async () => {
      const ip = (await aws('allocate-address')).PublicIp as string;
      assert.equal((await aws('associate-address', '--public-ip', ip, '--instance-id', instance)).AssociationId, `eipassoc-${(0xc0000201).toString().padStart(8, '0')}`);
      assert.equal((await sdk.send(new DescribeAddressesCommand({ PublicIps: [ip] }))).Addresses?.[0]?.InstanceId, instance);
      await aws('disassociate-address', '--public-ip', ip);
      await aws('release-address', '--public-ip', ip);
      assert.equal(runsOf(join(dir, 'associate.log')).length, 2);
      assert.equal(runsOf(join(dir, 'disassociate.log')).length, 2);
      const held = (await okXml(oned, 'one.vn.info', [eipNet])).children.find((c) => c.name === 'TEMPLATE')!;
      assert.equal(held.children.filter((c) => c.name === 'EC2_ADDRESSES').length, 0, 'no record left');
    };
    const groups = async () => {
      const cliGid = (await aws('create-security-group', '--group-name', 'ssh', '--description', 'ssh only')).GroupId as string;
      await aws('authorize-security-group-ingress', '--group-id', cliGid, '--protocol', 'tcp', '--port', '22', '--cidr', '203.0.113.0/24');
      const shown = (await aws('describe-security-groups', '--group-ids', cliGid)).SecurityGroups[0];
      assert.deepEqual(shown.IpPermissions.map((p: { IpProtocol: string; FromPort: number; IpRanges: Array<{ CidrIp: string }> }) => [p.IpProtocol, p.FromPort, p.IpRanges[0]!.CidrIp]), [['tcp', 22, '203.0.113.0/24']]);
      await aws('revoke-security-group-ingress', '--group-id', cliGid, '--protocol', 'tcp', '--port', '22', '--cidr', '203.0.113.0/24');
      assert.deepEqual((await sdk.send(new DescribeSecurityGroupsCommand({ GroupIds: [cliGid] }))).SecurityGroups?.[0]?.IpPermissions, []);
      await aws('delete-security-group', '--group-id', cliGid);
    };
    await Promise.all([volumes(), addresses(), groups()]);
  });

  test('tags on AMIs, volumes and security groups through CreateTags / DescribeTags and TagSpecifications', async () => {
    const vol = (await sdk.send(new CreateVolumeCommand({ Size: 1, AvailabilityZone: 'default' }))).VolumeId!;
    await sdk.send(new CreateTagsCommand({ Resources: [ami, vol], Tags: [{ Key: 'team', Value: 'blue' }] }));
    const tags = await sdk.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['team'] }] }));
    assert.deepEqual(tags.Tags?.map((t) => [t.ResourceId, t.ResourceType, t.Value]).sort(), [[ami, 'image', 'blue'], [vol, 'volume', 'blue']].sort());
    assert.deepEqual((await sdk.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:team', Values: ['blue'] }] }))).Volumes?.map((v) => v.VolumeId), [vol]);
    await assert.rejects(bobSdk.send(new CreateTagsCommand({ Resources: [vol], Tags: [{ Key: 'x', Value: 'y' }] })), { name: 'InvalidVolume.NotFound' });
    const sg = (await sdk.send(new CreateSecurityGroupCommand({ GroupName: 'tagged', Description: 'tagged group', TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'team', Value: 'red' }] }] }))).GroupId!;
    await sdk.send(new CreateTagsCommand({ Resources: [sg], Tags: [{ Key: 'env', Value: 'prod' }] }));
    const tagged = await sdk.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:env', Values: ['prod'] }] }));
    assert.deepEqual(tagged.SecurityGroups?.map((g) => [g.GroupId, g.Tags?.map((t) => `${t.Key}=${t.Value}`)]), [[sg, ['team=red', 'env=prod']]]);
    await sdk.send(new DeleteSecurityGroupCommand({ GroupId: sg }));
    await volumeState(vol, 'available');
    await sdk.send(new DeleteVolumeCommand({ VolumeId: vol }));
    await sdk.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));
  });
});

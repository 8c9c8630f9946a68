import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Image, parseObject, VirtualMachine } from '../../../oca/index.js';
import { Ec2Error } from '../errors.js';
import { amiState, attachmentsOf, deviceTarget, ec2IdOf, kindOf, sizeGiB, snapshotState, volumeStatus } from './storage-model.js';

const image = (id: number, type: number, state: number, template: string, size = 1024) =>
  parseObject(Image, `<IMAGE><ID>${id}</ID><NAME>i${id}</NAME><TYPE>${type}</TYPE><STATE>${state}</STATE><SIZE>${size}</SIZE><TEMPLATE>${template}</TEMPLATE></IMAGE>`);
const vm = (id: number, state: number, lcm: number, disks: string) =>
  parseObject(VirtualMachine, `<VM><ID>${id}</ID><STATE>${state}</STATE><LCM_STATE>${lcm}</LCM_STATE><STIME>1700000000</STIME><TEMPLATE>${disks}</TEMPLATE></VM>`);

test('an image is an AMI, a volume or a snapshot by its marks and type; files and backups are not shown', () => {
  assert.equal(kindOf(image(1, 0, 1, '')), 'ami');
  assert.equal(kindOf(image(1, 2, 1, '')), 'ami');
  assert.equal(kindOf(image(1, 2, 1, '<EBS_VOLUME>YES</EBS_VOLUME>')), 'volume');
  assert.equal(kindOf(image(1, 2, 1, '<EBS_SNAPSHOT>yes</EBS_SNAPSHOT>')), 'snapshot');
  for (const t of [3, 4, 5, 6]) assert.equal(kindOf(image(1, t, 1, '')), undefined, `type ${t}`);
  assert.deepEqual([ec2IdOf('ami', 7), ec2IdOf('volume', 7), ec2IdOf('snapshot', 123456789)], ['ami-00000007', 'vol-00000007', 'snap-123456789']);
});

test('image states map to AMI, volume and snapshot states', () => {
  const names = ['INIT', 'READY', 'USED', 'DISABLED', 'LOCKED', 'ERROR', 'CLONE', 'DELETE', 'USED_PERS', 'LOCKED_USED', 'LOCKED_USED_PERS'];
  const table = names.map((n, s) => [n, amiState(s), volumeStatus(s), snapshotState(s)]);
  assert.deepEqual(table, [
    ['INIT', 'pending', 'creating', 'pending'],
    ['READY', 'available', 'available', 'completed'],
    ['USED', 'available', 'in-use', 'completed'],
    ['DISABLED', undefined, 'error', 'completed'],
    ['LOCKED', 'pending', 'creating', 'pending'],
    ['ERROR', 'failed', 'error', 'error'],
    ['CLONE', 'available', 'available', 'completed'],
    ['DELETE', undefined, 'deleting', undefined],
    ['USED_PERS', 'in-use', 'in-use', 'completed'],
    ['LOCKED_USED', 'pending', 'in-use', 'completed'],
    ['LOCKED_USED_PERS', 'pending', 'in-use', 'completed'],
  ]);
  assert.deepEqual([sizeGiB(image(1, 2, 1, '', 1024)), sizeGiB(image(1, 2, 1, '', 1025)), sizeGiB(image(1, 2, 1, '', 0))], [1, 2, 1]);
});

test('device names become disk targets; anything else is refused', () => {
  assert.equal(deviceTarget('/dev/sdf'), 'sdf');
  assert.equal(deviceTarget('xvdh'), 'xvdh');
  assert.equal(deviceTarget('vdb'), 'vdb');
  for (const bad of ['', '/dev/', '/dev/../etc', 'sd f', '/dev/sdf; rm', 'SDF', '/mnt/sdf']) {
    assert.throws(() => deviceTarget(bad), (e: unknown) => e instanceof Ec2Error && e.code === 'InvalidParameterValue', bad);
  }
});

test('attachments come from the VMs using the volume, with the device AttachVolume was given', () => {
  const vol = image(5, 2, 8, '<EBS_VOLUME>YES</EBS_VOLUME><EBS><INSTANCE_ID>i-00000003</INSTANCE_ID><DEVICE>/dev/sdf</DEVICE><ATTACH_TIME>1700000100</ATTACH_TIME></EBS>');
  const running = vm(3, 3, 3, '<DISK><DISK_ID>0</DISK_ID><IMAGE_ID>1</IMAGE_ID></DISK><DISK><DISK_ID>1</DISK_ID><IMAGE_ID>5</IMAGE_ID><TARGET>sdf</TARGET></DISK>');
  assert.deepEqual(attachmentsOf(vol, [running]), [{ volumeId: 'vol-00000005', instanceId: 'i-00000003', device: '/dev/sdf', status: 'attached', attachTime: 1700000100 }]);
  const plugging = vm(3, 3, 17, '<DISK><DISK_ID>1</DISK_ID><IMAGE_ID>5</IMAGE_ID><TARGET>sdf</TARGET><ATTACH>YES</ATTACH></DISK>');
  assert.equal(attachmentsOf(vol, [plugging])[0]!.status, 'attaching');
  const unplugging = vm(3, 3, 17, '<DISK><DISK_ID>1</DISK_ID><IMAGE_ID>5</IMAGE_ID><TARGET>sdf</TARGET><ATTACH>YES</ATTACH><DETACH>YES</DETACH></DISK>');
  assert.equal(attachmentsOf(vol, [unplugging])[0]!.status, 'detaching');
  // Attached outside EC2 (no record): the disk's target and the VM's start time.
  const other = vm(9, 8, 0, '<DISK><DISK_ID>2</DISK_ID><IMAGE_ID>5</IMAGE_ID><TARGET>vdc</TARGET></DISK>');
  assert.deepEqual(attachmentsOf(vol, [other]), [{ volumeId: 'vol-00000005', instanceId: 'i-00000009', device: '/dev/vdc', status: 'attached', attachTime: 1700000000 }]);
  assert.deepEqual(attachmentsOf(vol, [vm(4, 3, 3, '<DISK><IMAGE_ID>6</IMAGE_ID></DISK>')]), []);
});

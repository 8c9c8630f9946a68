import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { VirtualMachine, VmLogs } from '../vm/index.js';
import { TransferManager, type TransferPlace } from './transfer-manager.js';

const tm = new TransferManager({ driver: undefined, logs: new VmLogs('/nonexistent'), frontend: 'fe' });
const at: TransferPlace = { vid: 7, seq: 0, tmMad: 'shared', dsId: 0, vmDir: '/ds/0/7', host: 'node1' };
const vm = VirtualMachine.create(
  7,
  'db',
  { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' },
  Permissions.fromOctal(0o600),
  Template.parse(`DISK = [ DISK_ID = 0, SOURCE = "/ds/1/base", CLONE = YES, SAVE = NO, TM_MAD = qcow2, DATASTORE_ID = 1 ]
DISK = [ DISK_ID = 1, SOURCE = "/ds/1/data", CLONE = NO, SAVE = YES, TM_MAD = ssh, DATASTORE_ID = 1 ]
CONTEXT = [ DISK_ID = 2, HOSTNAME = db ]`),
  new Template(),
  false,
  0,
);

test('prolog: clones and links by the disk TM_MAD, then CONTEXT with context.sh and the FILES', () => {
  assert.deepEqual(tm.lines(vm, 'prolog', at, { file: '/var/vms/7/context.sh', files: ['/srv/init.sh', '/srv/key.pub'] }), [
    'CLONE qcow2 fe:/ds/1/base node1:/ds/0/7/disk.0 7 1',
    'LN ssh fe:/ds/1/data node1:/ds/0/7/disk.1 7 1',
    'CONTEXT shared /var/vms/7/context.sh /srv/init.sh /srv/key.pub node1:/ds/0/7/disk.2 7 0',
  ]);
});

test('epilog: each persistent disk is saved back (MVDS by its TM_MAD) before the VM directory goes', () => {
  assert.deepEqual(tm.lines(vm, 'epilog', at, null), ['MVDS ssh node1:/ds/0/7/disk.1 /ds/1/data 7 1', 'DELETE shared node1:/ds/0/7 7 0']);
  assert.deepEqual(tm.lines(vm, 'delete', at, null), ['DELETE shared node1:/ds/0/7 7 0'], 'a delete saves nothing');
  assert.deepEqual(tm.frontendDelete(vm, at), ['MVDS ssh fe:/ds/0/7/disk.1 /ds/1/data 7 1', 'DELETE shared fe:/ds/0/7 7 0'], 'a STOPPED VM saves from the front-end');
});

test('epilog: a disk a 3.x savedisk marked (SAVE_AS_SOURCE) is moved into the new image, not its own', () => {
  const saving = VirtualMachine.create(
    8,
    'web',
    { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' },
    Permissions.fromOctal(0o600),
    Template.parse('DISK = [ DISK_ID = 0, SOURCE = "/ds/1/base", CLONE = YES, SAVE = YES, SAVE_AS = 5, SAVE_AS_SOURCE = "/ds/1/new", TM_MAD = ssh, DATASTORE_ID = 1 ]'),
    new Template(),
    false,
    0,
  );
  const at8 = { ...at, vid: 8, vmDir: '/ds/0/8' };
  assert.deepEqual(tm.lines(saving, 'epilog', at8, null), ['MVDS ssh node1:/ds/0/8/disk.0 /ds/1/new 8 1', 'DELETE shared node1:/ds/0/8 8 0']);
});

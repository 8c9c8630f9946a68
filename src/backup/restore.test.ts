import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backedUpTemplate, parseRestoreReply, restoredVmTemplate, restoreOptions } from './restore.js';

test('restoreOptions: names, YES/NO flags, ids; bad values named', () => {
  assert.deepEqual(restoreOptions(''), { name: '', noIp: false, noNic: false, incrementId: -1, diskId: -1 });
  assert.deepEqual(restoreOptions('NAME = "web"\nNO_IP = "yes"\nINCREMENT_ID = 2\nDISK_ID = 1'), { name: 'web', noIp: true, noNic: false, incrementId: 2, diskId: 1 });
  assert.throws(() => restoreOptions('NO_NIC = "sure"'), /NO_NIC must be YES or NO, got "sure"/);
  assert.throws(() => restoreOptions('INCREMENT_ID = "x"'), /INCREMENT_ID must be a non-negative integer, got "x"/);
});

test('parseRestoreReply: vm.xml and disks; no disks or a bad word refused', () => {
  const vm = Buffer.from('<VM><ID>3</ID></VM>').toString('base64');
  assert.deepEqual(parseRestoreReply(`${vm} 0:/ds/1/abc:10:qcow2 2:/ds/1/def:5:qcow2`), {
    vmXml: '<VM><ID>3</ID></VM>',
    disks: [{ diskId: 0, source: '/ds/1/abc', sizeMb: 10, format: 'qcow2' }, { diskId: 2, source: '/ds/1/def', sizeMb: 5, format: 'qcow2' }],
  });
  assert.equal(parseRestoreReply('- 0:x:1:raw').vmXml, '');
  assert.throws(() => parseRestoreReply(vm), /restored no disks/);
  assert.throws(() => parseRestoreReply(`${vm} 0:/a:b`), /bad disk "0:\/a:b"/);
});

test('restoredVmTemplate: the VM\'s settings, NICs without what oned fills in, a DISK per image', () => {
  const src = backedUpTemplate('<VM><ID>3</ID><TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY><GRAPHICS><TYPE>VNC</TYPE><PORT>5903</PORT></GRAPHICS>' +
    '<NIC><NETWORK>pub</NETWORK><NETWORK_ID>0</NETWORK_ID><IP>10.0.0.5</IP><MAC>02:00:0a:00:00:05</MAC><NIC_ID>0</NIC_ID></NIC>' +
    '<DISK><DISK_ID>0</DISK_ID><IMAGE_ID>4</IMAGE_ID><DEV_PREFIX>vd</DEV_PREFIX><SOURCE>/x</SOURCE></DISK><VMID>3</VMID></TEMPLATE></VM>');
  const t = restoredVmTemplate(src, new Map([[0, 12]]), { name: '', noIp: false, noNic: false, incrementId: -1, diskId: -1 });
  assert.equal(t.toText().replace(/\s+/g, ' ').trim(), 'CPU="1" MEMORY="64" GRAPHICS=[ TYPE="VNC" ] NIC=[ NETWORK="pub", IP="10.0.0.5", MAC="02:00:0a:00:00:05" ] DISK=[ IMAGE_ID="12", DEV_PREFIX="vd" ]');
  const noIp = restoredVmTemplate(src, new Map([[0, 12]]), { name: '', noIp: true, noNic: false, incrementId: -1, diskId: -1 });
  assert.equal(noIp.getVector('NIC')?.has('IP'), false);
  assert.equal(restoredVmTemplate(src, new Map([[0, 12]]), { name: '', noIp: false, noNic: true, incrementId: -1, diskId: -1 }).has('NIC'), false);
});

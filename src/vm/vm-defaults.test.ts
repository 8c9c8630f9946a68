import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { addVmDefaults } from './vm-defaults.js';
import { datastoreDiskAttributes } from './disk-defaults.js';
import { driverConf } from '../datastore/driver-conf.js';
import { vectors } from './vm-resources.js';

test('a VM on images and networks of cluster 100: the requirements OpenNebula 7.4 adds', () => {
  const t = Template.parse(
    'DISK = [ DISK_ID = 0, CLUSTER_ID = "100,101" ]\nDISK = [ DISK_ID = 1, TYPE = fs ]\nNIC = [ NIC_ID = 0, CLUSTER_ID = 100, SECURITY_GROUPS = 0 ]\n' +
      'OS = [ ARCH = x86_64, BOOT = "nic0,disk0" ]\nFEATURES = [ ACPI = yes, GUEST_AGENT = "no", VIRTIO_SCSI_QUEUES = "auto" ]',
  );
  addVmDefaults(t, true);
  assert.equal(t.get('AUTOMATIC_REQUIREMENTS'), '(CLUSTER_ID = 100) & !(PIN_POLICY = PINNED)');
  assert.equal(t.get('AUTOMATIC_DS_REQUIREMENTS'), '("CLUSTERS/ID" @> 100)');
  assert.equal(t.get('AUTOMATIC_NIC_REQUIREMENTS'), '("CLUSTERS/ID" @> 100)');
  assert.equal(t.get('SUBMIT_ON_HOLD'), 'YES');
  const os = t.getVector('OS')!;
  assert.equal(os.get('MACHINE'), undefined, 'the hypervisor default machine, not q35 (IDE disks need one with an IDE bus)');
  assert.match(os.get('UUID')!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(Object.fromEntries(t.getVector('FEATURES')!), { ACPI: 'YES', GUEST_AGENT: 'NO', VIRTIO_SCSI_QUEUES: 'auto' });
  assert.deepEqual([...vectors(t, 'DISK'), ...vectors(t, 'NIC')].map((d) => d.get('ORDER')), ['2', undefined, '1']);
  assert.deepEqual(
    vectors(t, 'SECURITY_GROUP_RULE').map((r) => Object.fromEntries(r)),
    [
      { PROTOCOL: 'ALL', RULE_TYPE: 'OUTBOUND', SECURITY_GROUP_ID: '0', SECURITY_GROUP_NAME: 'default' },
      { PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '0', SECURITY_GROUP_NAME: 'default' },
    ],
  );
});

test('a plain VM: only the PIN_POLICY requirement, an OS, no SUBMIT_ON_HOLD; several clusters joined', () => {
  const plain = Template.parse('CPU = 1\nMEMORY = 64\nOS = [ MACHINE = "pc", UUID = "u-1" ]');
  addVmDefaults(plain, false);
  assert.equal(plain.get('AUTOMATIC_REQUIREMENTS'), '!(PIN_POLICY = PINNED)');
  assert.equal(plain.get('AUTOMATIC_DS_REQUIREMENTS'), undefined);
  assert.equal(plain.get('SUBMIT_ON_HOLD'), undefined);
  assert.deepEqual(Object.fromEntries(plain.getVector('OS')!), { MACHINE: 'pc', UUID: 'u-1' }, 'given values are kept');
  const two = Template.parse('NIC = [ CLUSTER_ID = "100,101" ]\nTOPOLOGY = [ PIN_POLICY = CORE ]');
  addVmDefaults(two, false);
  assert.equal(two.get('AUTOMATIC_REQUIREMENTS'), '(CLUSTER_ID = 100 | CLUSTER_ID = 101) & (PIN_POLICY = PINNED)');
  assert.equal(two.get('AUTOMATIC_NIC_REQUIREMENTS'), '("CLUSTERS/ID" @> 100 | "CLUSTERS/ID" @> 101)');
});

test('a DISK copies its datastore: the template first, then TM_MAD_CONF of oned.conf, then 7.4 defaults', () => {
  const none = driverConf(new Template()).tm; // none in oned.conf: 7.4's
  assert.deepEqual(datastoreDiskAttributes(Template.parse('TM_MAD = dummy'), 'dummy', none), {
    ALLOW_ORPHANS: 'NO', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'NONE', DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES',
  });
  assert.equal(datastoreDiskAttributes(Template.parse('LN_TARGET = SELF'), 'ssh', none).LN_TARGET, 'SELF');
  assert.equal(datastoreDiskAttributes(new Template(), 'qcow2', none).DRIVER, 'qcow2');
  const conf = driverConf(Template.parse('TM_MAD_CONF = [ NAME = "ssh", LN_TARGET = "NONE", CLONE_TARGET = "SELF" ]')).tm;
  assert.deepEqual([datastoreDiskAttributes(new Template(), 'ssh', conf).LN_TARGET, datastoreDiskAttributes(new Template(), 'ssh', conf).ALLOW_ORPHANS], ['NONE', 'NO']);
});

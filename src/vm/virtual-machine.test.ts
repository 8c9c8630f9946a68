import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { Permissions } from '../pool/index.js';
import { VirtualMachine } from './virtual-machine.js';
import { History } from './history.js';
import { LcmState, VmAction, VmState, displayState, isFailureState } from './vm-state.js';

const owner = { uid: 2, gid: 1, uname: 'alice', gname: 'users' };

function sample(): VirtualMachine {
  const t = Template.parse('CPU = 0.5\nMEMORY = 256\nVCPU = 2\nDISK = [ DISK_ID = 0, TYPE = fs, SIZE = 10 ]\nOS = [ ARCH = x86_64 ]');
  const vm = VirtualMachine.create(7, 'web', owner, Permissions.fromOctal(0o600), t, Template.parse('LABELS = "a"'), false, 1000);
  const h = vm.openHistory({ hostname: 'h1', hid: 3, cid: 0, vmMad: 'kvm', tmMad: 'ssh', dsId: 0 }, 1001);
  h.setAction(VmAction.DEPLOY, 0, 0, 42);
  vm.setState(VmState.ACTIVE, LcmState.PROLOG);
  return vm;
}

const names = (xml: string) => parseXmlTree(xml).children.map((c) => c.name);

test('full VM XML: the elements of §2.1.1 in order, and it reads back to the same XML', () => {
  const vm = sample();
  const xml = vm.toXml();
  assert.deepEqual(names(xml), [
    'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'LAST_POLL', 'STATE', 'LCM_STATE', 'PREV_STATE', 'PREV_LCM_STATE',
    'RESCHED', 'STIME', 'ETIME', 'DEPLOY_ID', 'MONITORING', 'SCHED_ACTIONS', 'TEMPLATE', 'USER_TEMPLATE', 'HISTORY_RECORDS', 'BACKUPS',
  ]);
  assert.equal(VirtualMachine.fromXml(parseXmlTree(xml)).toXml(), xml);
  const h = parseXmlTree(xml).children.find((c) => c.name === 'HISTORY_RECORDS')!.children[0]!;
  assert.deepEqual(h.children.map((c) => c.name), [
    'OID', 'SEQ', 'HOSTNAME', 'HID', 'CID', 'STIME', 'ETIME', 'VM_MAD', 'TM_MAD', 'DS_ID', 'PLAN_ID', 'ACTION_ID',
    'PSTIME', 'PETIME', 'RSTIME', 'RETIME', 'ESTIME', 'EETIME', 'ACTION', 'UID', 'GID', 'REQUEST_ID',
  ]);
});

test('short VM XML (§2.1.2): reduced TEMPLATE, no PERMISSIONS, the last history record reduced', () => {
  const vm = sample();
  const short = parseXmlTree(vm.toShortXml());
  assert.deepEqual(short.children.map((c) => c.name), [
    'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'LAST_POLL', 'STATE', 'LCM_STATE', 'RESCHED', 'STIME', 'ETIME', 'DEPLOY_ID',
    'TEMPLATE', 'MONITORING', 'USER_TEMPLATE', 'HISTORY_RECORDS',
  ]);
  const tmpl = short.children.find((c) => c.name === 'TEMPLATE')!;
  assert.deepEqual(tmpl.children.map((c) => c.name), ['CPU', 'MEMORY', 'VCPU', 'DISK'], 'OS is not in the short form');
  // OpenNebula 7.4's reduced DISK: the same attributes for every disk, empty when it has none.
  assert.deepEqual(tmpl.children[3]!.children.map((c) => [c.name, c.text]), [
    ['DISK_ID', '0'], ['DATASTORE', ''], ['DATASTORE_ID', ''], ['IMAGE', ''], ['IMAGE_ID', ''], ['SIZE', '10'], ['TYPE', 'fs'],
    ['CLONE', ''], ['CLONE_TARGET', ''], ['LN_TARGET', ''], ['DISK_SNAPSHOT_TOTAL_SIZE', ''],
  ]);
  // A lock shows only its level, the monitoring only CPU, MEMORY and STATE (as OpenNebula 7.4 lists them).
  vm.lock = { level: 2, owner: 0, time: 5, reqId: 1 };
  vm.monitoring = '<MONITORING><CPU>5</CPU><MEMORY>100</MEMORY><NETRX>7</NETRX><TIMESTAMP>9</TIMESTAMP></MONITORING>';
  vm.changed();
  const locked = parseXmlTree(vm.toShortXml());
  assert.deepEqual(locked.children.find((c) => c.name === 'LOCK')!.children.map((c) => [c.name, c.text]), [['LOCKED', '2']]);
  assert.deepEqual(locked.children.find((c) => c.name === 'MONITORING')!.children.map((c) => [c.name, c.text]), [['CPU', '5'], ['MEMORY', '100'], ['STATE', '']]);
  // Only the USER_TEMPLATE attributes listings need (LABELS here).
  assert.deepEqual(short.children.find((c) => c.name === 'USER_TEMPLATE')!.children.map((c) => c.name), ['LABELS']);
  const h = short.children.find((c) => c.name === 'HISTORY_RECORDS')!.children[0]!;
  assert.deepEqual(h.children.map((c) => c.name), ['OID', 'SEQ', 'HOSTNAME', 'HID', 'CID', 'DS_ID', 'VM_MAD', 'TM_MAD', 'ACTION']);
});

test('the cached XML follows changes', () => {
  const vm = sample();
  const before = vm.toEscapedShortXml();
  assert.equal(vm.toEscapedShortXml(), before, 'kept while unchanged');
  vm.changed();
  vm.setState(VmState.ACTIVE, LcmState.RUNNING);
  assert.notEqual(vm.toEscapedShortXml(), before);
  assert.match(vm.toXml(), /<LCM_STATE>3<\/LCM_STATE><PREV_STATE>3<\/PREV_STATE><PREV_LCM_STATE>1<\/PREV_LCM_STATE>/);
});

test('capacity: CPU × 100 and MEMORY MB in KB; states outside ACTIVE have LCM_INIT', () => {
  const vm = sample();
  assert.deepEqual(vm.capacity, { cpu: 50, mem: 256 * 1024 });
  vm.setState(VmState.POWEROFF, LcmState.RUNNING);
  assert.equal(vm.lcmState, LcmState.LCM_INIT);
  assert.equal(displayState(vm.state, vm.lcmState), 'POWEROFF');
  assert.equal(displayState(VmState.ACTIVE, LcmState.BOOT_FAILURE), 'BOOT_FAILURE');
  assert.ok(isFailureState(LcmState.PROLOG_MIGRATE_UNKNOWN_FAILURE));
  assert.ok(!isFailureState(LcmState.RUNNING));
});

test('history rows carry vid, seq, body and the times accounting filters on', () => {
  const h = new History(4, 1, { hostname: 'h', hid: 1, cid: 0, vmMad: 'dummy', tmMad: 'dummy', dsId: 0 });
  h.stime = 10;
  h.etime = 20;
  const w = h.write();
  assert.equal(w.kind, 'upsert');
  assert.deepEqual(w.kind === 'upsert' ? [w.table, w.row.vid, w.row.seq, w.row.stime, w.row.etime] : [], ['history', 4, 1, 10, 20]);
  // The record of one.vmpool.accounting nests the VM, its own history left out.
  const vm = sample();
  const nested = vm.lastHistory!.write(vm.toHistoryXml());
  const body = parseXmlTree(nested.kind === 'upsert' ? String(nested.row.body) : '');
  const inner = body.children.at(-1)!;
  assert.equal(inner.name, 'VM');
  assert.deepEqual(inner.children.find((c) => c.name === 'HISTORY_RECORDS')!.children, []);
  assert.equal(inner.children.at(-1)!.name, 'BACKUPS');
  assert.equal(History.fromXml(parseXmlTree(h.toXml())).toXml(), h.toXml());
});

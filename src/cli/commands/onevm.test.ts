import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseObject, parsePool, VirtualMachine } from '../../oca/index.js';
import { tableLines } from '../output.js';
import { vmColumns, vmShowText } from './onevm.js';

const PERMS = '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>0</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>';

function vmXml(id: number, name: string, state: number, lcm: number, host = ''): string {
  const history = host ? `<HISTORY><SEQ>0</SEQ><UID>0</UID><HOSTNAME>${host}</HOSTNAME><HID>1</HID><CID>0</CID><STIME>1000</STIME><ETIME>0</ETIME><DS_ID>0</DS_ID><ACTION>0</ACTION></HISTORY>` : '';
  return (
    `<VM><ID>${id}</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME><NAME>${name}</NAME>${PERMS}` +
    `<STATE>${state}</STATE><LCM_STATE>${lcm}</LCM_STATE><RESCHED>0</RESCHED><STIME>1000</STIME><ETIME>0</ETIME><DEPLOY_ID>one-${id}</DEPLOY_ID>` +
    `<MONITORING><CPU>12</CPU><MEMORY>524288</MEMORY></MONITORING>` +
    `<TEMPLATE><CPU>1</CPU><MEMORY>512</MEMORY><DISK><DISK_ID>0</DISK_ID><IMAGE>ubuntu</IMAGE><DATASTORE>default</DATASTORE><TARGET>vda</TARGET><SIZE>2048</SIZE></DISK>` +
    `<NIC><NIC_ID>0</NIC_ID><NETWORK>private</NETWORK><BRIDGE>br0</BRIDGE><IP>10.0.0.2</IP><MAC>02:00:0a:00:00:02</MAC></NIC></TEMPLATE>` +
    `<USER_TEMPLATE><NOTE>web</NOTE></USER_TEMPLATE><HISTORY_RECORDS>${history}</HISTORY_RECORDS></VM>`
  );
}

test('onevm list rows: OpenNebula columns, abbreviations, host of the last history, 80 columns', () => {
  const pool = `<VM_POOL>${vmXml(7, 'web', 3, 3, 'node01')}${vmXml(8, 'a-very-long-vm-name', 8, 0, 'node02')}${vmXml(9, 'q', 1, 0)}</VM_POOL>`;
  const vms = parsePool(VirtualMachine, 'VM', pool);
  const columns = vmColumns(1000 + 86400 + 61).filter((c) => c.default !== false);
  const lines = tableLines(columns, vms);
  assert.deepEqual(lines, [
    '   ID USER     GROUP    NAME           STAT UCPU    UMEM HOST              TIME',
    '    7 oneadmin oneadmin web            runn   12    512M node01     1d 00:01:01',
    '    8 oneadmin oneadmin a-very-long-vm poff   12    512M node02     1d 00:01:01',
    '    9 oneadmin oneadmin q              pend   12    512M            1d 00:01:01',
  ]);
  for (const l of lines) assert.ok(l.length <= 80);
});

test('onevm show: information, monitoring, permissions, disks, NICs, history and templates', () => {
  const text = vmShowText(parseObject(VirtualMachine, vmXml(7, 'web', 3, 3, 'node01')));
  assert.match(text, /^VIRTUAL MACHINE 7 INFORMATION$/m);
  assert.match(text, /^STATE +: ACTIVE$/m);
  assert.match(text, /^LCM_STATE +: RUNNING$/m);
  assert.match(text, /^HOST +: node01$/m);
  assert.match(text, /^DEPLOY ID +: one-7$/m);
  assert.match(text, /^MEMORY +: 512M$/m);
  assert.match(text, /^OWNER +: um-$/m);
  assert.match(text, /^ {2}0 default +vda +ubuntu +2G file +NO$/m);
  assert.match(text, /^ {2}0 private +br0 +10\.0\.0\.2 +02:00:0a:00:00:02$/m);
  assert.match(text, /^ {2}0 {4}0 node01 +none /m);
  assert.match(text, /^USER TEMPLATE\nNOTE="web"$/m);
  assert.match(text, /^VIRTUAL MACHINE TEMPLATE\nCPU="1"\nMEMORY="512"/m);
  const pending = vmShowText(parseObject(VirtualMachine, vmXml(9, 'q', 1, 0)));
  assert.match(pending, /^HOST +: -$/m);
  assert.doesNotMatch(pending, /VIRTUAL MACHINE HISTORY/);
});

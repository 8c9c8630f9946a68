import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseObject, VirtualNetwork } from '../../oca/index.js';
import { tableLines } from '../output.js';
import { vnetColumns, vnetShowText } from './onevnet.js';

const PERMS = '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>';
const OWNER = '<UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME>';

const vnet =
  `<VNET><ID>2</ID>${OWNER}<NAME>private</NAME>${PERMS}<CLUSTERS><ID>0</ID><ID>100</ID></CLUSTERS><BRIDGE>br0</BRIDGE><VN_MAD>dummy</VN_MAD><USED_LEASES>2</USED_LEASES>` +
  `<TEMPLATE><DNS>8.8.8.8</DNS></TEMPLATE><AR_POOL><AR><AR_ID>0</AR_ID><IP>10.0.0.1</IP><MAC>02:00:0a:00:00:01</MAC><SIZE>10</SIZE><TYPE>IP4</TYPE><USED_LEASES>2</USED_LEASES>` +
  `<LEASES><LEASE><IP>10.0.0.1</IP><MAC>02:00:0a:00:00:01</MAC><VM>7</VM></LEASE><LEASE><IP>10.0.0.2</IP><MAC>02:00:0a:00:00:02</MAC><VM>-1</VM></LEASE></LEASES></AR></AR_POOL></VNET>`;

test('onevnet list and show: clusters, leases by owner (V: a VM, H: on hold)', () => {
  const n = parseObject(VirtualNetwork, vnet);
  assert.deepEqual(tableLines(vnetColumns, [n]), [
    '  ID USER       GROUP      NAME                CLUSTERS   BRIDGE     LEASES',
    '   2 oneadmin   oneadmin   private             0,100      br0             2',
  ]);
  const text = vnetShowText(n);
  assert.match(text, /^CLUSTERS +: 0,100$/m);
  assert.match(text, /^STATE +: READY$/m);
  assert.match(text, /^VLAN ID +: -$/m);
  assert.match(text, /^AUTOMATIC OUTER VLAN ID *: NO$/m);
  const tagged = vnetShowText(parseObject(VirtualNetwork, vnet.replace('<USED_LEASES>', '<STATE>5</STATE><VLAN_ID>50</VLAN_ID><OUTER_VLAN_ID>7</OUTER_VLAN_ID><VLAN_ID_AUTOMATIC>1</VLAN_ID_AUTOMATIC><USED_LEASES>')));
  assert.match(tagged, /^STATE +: ERROR$/m);
  assert.match(tagged, /^VLAN ID +: 50$/m);
  assert.match(tagged, /^AUTOMATIC VLAN ID *: YES$/m);
  assert.match(tagged, /^OUTER VLAN ID +: 7$/m);
  assert.match(text, /^ {2}0 IP4 +10 +2 02:00:0a:00:00:01 10\.0\.0\.1$/m);
  assert.match(text, /^ {2}0 V:7 +02:00:0a:00:00:01 10\.0\.0\.1$/m);
  assert.match(text, /^ {2}0 H +02:00:0a:00:00:02 10\.0\.0\.2$/m);
});

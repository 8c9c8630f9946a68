import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { isYes, routerNic, VirtualRouter, vmNicOf } from './virtual-router.js';

const owner = { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' };

function router(oid: number, text: string, vms: number[] = []): VirtualRouter {
  return new VirtualRouter(oid, 'edge', owner, Permissions.fromOctal(0o640), Template.parse(text), null, vms);
}

test('routerNic: a floating NIC keeps its addresses as VROUTER_<name> and AR_ID, not the rest of the lease', () => {
  const nic = new Map([['NETWORK_ID', '2'], ['FLOATING_IP', 'yes'], ['IP', '10.0.0.5'], ['MAC', '02:00:0a:00:00:05'], ['AR_ID', '0'], ['BRIDGE', 'br0'], ['VN_MAD', 'dummy'], ['VLAN_ID', '7']]);
  routerNic(nic);
  assert.deepEqual(Object.fromEntries(nic), { NETWORK_ID: '2', FLOATING_IP: 'yes', AR_ID: '0', VROUTER_IP: '10.0.0.5', VROUTER_MAC: '02:00:0a:00:00:05', VROUTER_VLAN_ID: '7' });
  const plain = new Map([['NETWORK_ID', '2'], ['IP', '10.0.0.9']]);
  routerNic(plain);
  assert.equal(plain.get('IP'), '10.0.0.9', 'a NIC that does not float asks its VM for that IP');
});

test('vmNicOf: the VM numbers its NICs and takes its own lease', () => {
  const v = vmNicOf(new Map([['NIC_ID', '1'], ['AR_ID', '0'], ['NETWORK_ID', '2'], ['VROUTER_IP', '10.0.0.5']]));
  assert.deepEqual(Object.fromEntries(v), { NETWORK_ID: '2', VROUTER_IP: '10.0.0.5' });
});

test('vmAttributes: the NICs, VROUTER_ID, KEEPALIVED_ID (default from the id, 1-255), the password when given', () => {
  const r = router(300, 'NIC = [ NIC_ID = 0, NETWORK_ID = 1, FLOATING_IP = "YES", VROUTER_IP = "10.0.0.1", AR_ID = 0 ]\nNIC = [ NIC_ID = 1, NETWORK_ID = 2 ]');
  const t = r.vmAttributes('pw');
  assert.equal(t.getAll('NIC').length, 2);
  assert.equal(t.getVector('NIC')?.get('VROUTER_IP'), '10.0.0.1');
  assert.equal(t.get('VROUTER_ID'), '300');
  assert.equal(t.get('VROUTER_KEEPALIVED_ID'), '46');
  assert.equal(t.get('VROUTER_KEEPALIVED_PASSWORD'), 'pw');
  const own = router(1, 'KEEPALIVED_ID = 12');
  assert.equal(own.vmAttributes(undefined).get('VROUTER_KEEPALIVED_ID'), '12');
  assert.equal(own.vmAttributes(undefined).get('VROUTER_KEEPALIVED_PASSWORD'), undefined);
});

test('NICs by id, the next NIC_ID, TEMPLATE_ID', () => {
  const r = router(0, 'NIC = [ NIC_ID = 0, NETWORK_ID = 1 ]\nNIC = [ NIC_ID = 3, NETWORK_ID = 2 ]\nTEMPLATE_ID = 5');
  assert.equal(r.nic(3)?.get('NETWORK_ID'), '2');
  assert.equal(r.nic(1), undefined);
  assert.equal(r.nextNicId, 4);
  assert.equal(r.templateId, 5);
  assert.equal(router(0, '').nextNicId, 0);
  assert.equal(router(0, '').templateId, -1);
});

test('XML as vrouter.xsd orders it, and back', () => {
  const r = router(4, 'NIC = [ NIC_ID = 0, NETWORK_ID = 1 ]', [9, 7]);
  const xml = r.toXml();
  assert.match(xml, /^<VROUTER><ID>4<\/ID><UID>0<\/UID><GID>0<\/GID><UNAME>oneadmin<\/UNAME><GNAME>oneadmin<\/GNAME><NAME>edge<\/NAME><PERMISSIONS>.*<\/PERMISSIONS><VMS><ID>7<\/ID><ID>9<\/ID><\/VMS><TEMPLATE><NIC>/);
  const back = VirtualRouter.fromXml(parseXmlTree(xml));
  assert.equal(back.toXml(), xml);
  assert.match(router(5, '').toXml(), /<VMS\/>/);
});

test('isYes', () => {
  for (const v of ['YES', 'yes', ' Yes ', 'TRUE']) assert.equal(isYes(v), true, v);
  for (const v of ['NO', '', undefined, 'y']) assert.equal(isYes(v), false, String(v));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree, child, childText } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { xmlEscapeText } from '../common/xml.js';
import { Permissions } from '../pool/index.js';
import { parseMacPrefix } from './address.js';
import { HOLD } from './address-range.js';
import { networkRequest } from './network-template.js';
import { VirtualNetwork } from './virtual-network.js';

const PREFIX = parseMacPrefix('02:00')!;
const owner = { uid: 3, gid: 1, uname: 'alice', gname: 'users' };

function lan(): VirtualNetwork {
  const template = Template.parse('VN_MAD = "802.1Q"\nVLAN_ID = "50"\nPHYDEV = "eth0"\nDNS = "1.1.1.1"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "8" ]');
  const req = networkRequest(template);
  const v = new VirtualNetwork(7, 'lan', owner, Permissions.fromOctal(0o640), { ...req.fields, bridge: 'br50' }, template, [0, 100]);
  for (const ar of req.ars) v.addAr(ar, PREFIX);
  v.syncTemplate();
  return v;
}

test('the stored body reads back to the same network: head, clusters, lock, template, ARs; no lease state', () => {
  const v = lan();
  v.lock = { level: 2, owner: 0, time: 1700000000, reqId: 4 };
  v.addAr(new Map([['TYPE', 'ETHER'], ['SIZE', '2'], ['MAC', '02:00:00:00:00:01']]), PREFIX);
  v.changed();
  const empty = v.toBody();
  v.ars.get(0)!.take(5, { kind: 'VM', id: 12 });
  v.ars.get(0)!.take(1, HOLD);
  v.leaseChanged();
  assert.equal(v.toBody(), empty, 'a lease change leaves the body as it is');
  assert.doesNotMatch(empty, /LEASE|NEXT_INDEX/);
  const back = VirtualNetwork.fromXml(parseXmlTree(v.toBody()));
  assert.equal(back.usedLeases, 0);
  back.adoptLeases(v);
  assert.equal(back.toXml(), v.toXml(), 'the body and the leases make the same network');
  assert.equal(back.usedLeases, 2);
  assert.deepEqual(back.clusterIds, [0, 100]);
  assert.equal(back.addAr(new Map([['TYPE', 'ETHER'], ['SIZE', '1'], ['MAC', '02:00:00:00:00:10']]), PREFIX).id, 2, 'AR ids go on after a reload');
  const xml = parseXmlTree(v.toXml());
  assert.deepEqual([childText(xml, 'VLAN_ID'), childText(xml, 'PHYDEV'), childText(xml, 'BRIDGE_TYPE'), childText(xml, 'USED_LEASES')], ['50', 'eth0', 'linux', '2']);
  assert.deepEqual(xml.children.slice(5, 8).map((c) => c.name), ['NAME', 'LOCK', 'PERMISSIONS']);
});

test('a lease change re-renders only its AR: not the head, the template or the other ARs', () => {
  const v = lan();
  v.addAr(new Map([['TYPE', 'ETHER'], ['SIZE', '2'], ['MAC', '02:00:00:00:00:01']]), PREFIX);
  v.toXml();
  v.toEscapedPoolXml();
  v.toBody();
  let templates = 0;
  const template = v.template.toXml.bind(v.template);
  v.template.toXml = () => (templates++, template());
  const renders = new Map<number, number>();
  for (const ar of v.ars.values()) {
    const spied = ar as unknown as { render: (view: string) => string };
    const render = spied.render.bind(ar);
    spied.render = (view) => (renders.set(ar.id, (renders.get(ar.id) ?? 0) + 1), render(view));
  }
  v.ars.get(0)!.take(3, { kind: 'VM', id: 4 });
  v.leaseChanged();
  const info = parseXmlTree(v.toXml());
  v.toEscapedPoolXml();
  v.toBody();
  assert.equal(templates, 0);
  assert.deepEqual([renders.get(0), renders.get(1)], [2, undefined], 'AR 0 once for info and once for the listing');
  assert.equal(childText(info, 'USED_LEASES'), '1');
  assert.equal(childText(child(child(child(info, 'AR_POOL')!, 'AR')!, 'LEASES')!.children[0]!, 'IP'), '10.0.0.4');
});

test('the pool form drops LEASES, and both forms follow changes made after changed()', () => {
  const v = lan();
  const listing = () => parseXmlTree(v.toEscapedPoolXml().replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  assert.equal(child(child(child(listing(), 'AR_POOL')!, 'AR')!, 'LEASES'), undefined);
  assert.equal(childText(child(child(listing(), 'AR_POOL')!, 'AR')!, 'ALLOCATED'), '');
  v.changed();
  v.ars.get(0)!.take(0, { kind: 'VM', id: 1 });
  assert.equal(childText(child(child(listing(), 'AR_POOL')!, 'AR')!, 'ALLOCATED'), ` 0 ${0x1000000000 + 1}`);
  assert.equal(childText(listing(), 'USED_LEASES'), '1');
  assert.equal(v.toEscapedXml(), xmlEscapeText(v.toXml()));
  assert.equal(child(child(child(parseXmlTree(v.toXml()), 'AR_POOL')!, 'AR')!, 'LEASES')!.children.length, 1);
});

test('update: head fields follow the template, and are written back when it drops them', () => {
  const v = lan();
  v.template = Template.parse('BRIDGE = "br9"\nNOTE = "n"');
  v.templateUpdated();
  assert.deepEqual([v.fields.bridge, v.fields.vnMad, v.fields.vlanId], ['br9', '802.1Q', '50']);
  assert.deepEqual([v.template.get('VN_MAD'), v.template.get('VLAN_ID'), v.template.get('NOTE')], ['802.1Q', '50', 'n']);
  assert.equal(v.attribute('VLAN_ID'), '50');
  assert.equal(v.attribute('NOTE'), 'n');
});

test('findLease: by IP or MAC, within one AR when named; both must agree', () => {
  const v = lan();
  v.addAr(new Map([['TYPE', 'IP4'], ['IP', '10.0.1.1'], ['SIZE', '4']]), PREFIX);
  assert.deepEqual([v.findLease({ ip: '10.0.1.3' })?.ar.id, v.findLease({ ip: '10.0.1.3' })?.index], [1, 2]);
  assert.equal(v.findLease({ ip: '10.0.1.3' }, 0), undefined);
  assert.equal(v.findLease({ mac: '02:00:0a:00:00:08' })?.index, 7);
  assert.equal(v.findLease({ ip: '10.0.0.1', mac: '02:00:0a:00:00:02' }), undefined);
  assert.throws(() => v.addAr(new Map([['TYPE', 'IP4'], ['IP', '10.0.1.4'], ['SIZE', '4']]), PREFIX), /overlaps with address range 1 of virtual network 7/);
});

test('the VNET head as 7.4 shows it: BRIDGE_TYPE, VLAN_ID and OUTER_VLAN_ID always there (empty without VLANs)', () => {
  const template = Template.parse('VN_MAD = "bridge"\nBRIDGE = "br0"');
  const req = networkRequest(template);
  const v = new VirtualNetwork(1, 'flat', owner, Permissions.fromOctal(0o600), req.fields, template);
  v.syncTemplate();
  const xml = parseXmlTree(v.toXml());
  assert.deepEqual(xml.children.map((c) => c.name).slice(8, 20), [
    'BRIDGE', 'BRIDGE_TYPE', 'STATE', 'PREV_STATE', 'PARENT_NETWORK_ID', 'TEMPLATE_ID', 'VN_MAD', 'PHYDEV', 'VLAN_ID', 'OUTER_VLAN_ID', 'VLAN_ID_AUTOMATIC', 'OUTER_VLAN_ID_AUTOMATIC',
  ]);
  assert.deepEqual(['VLAN_ID', 'OUTER_VLAN_ID', 'STATE', 'PREV_STATE'].map((n) => childText(xml, n)), ['', '', '1', '1']);
  const t = child(xml, 'TEMPLATE')!;
  assert.deepEqual(['SECURITY_GROUPS', 'VLAN_ID', 'OUTER_VLAN_ID', 'PHYDEV', 'BRIDGE_TYPE'].map((n) => child(t, n)?.text), ['0', '', '', '', 'linux']);
});

test('SECURITY_GROUPS of a new network always include the default group 0; AR vectors cannot pose as reserved ranges', () => {
  const sg = (text: string) => {
    const t = Template.parse(`VN_MAD = "bridge"\nSECURITY_GROUPS = "${text}"`);
    networkRequest(t);
    return t.get('SECURITY_GROUPS');
  };
  const none = Template.parse('VN_MAD = "bridge"');
  networkRequest(none);
  assert.equal(none.get('SECURITY_GROUPS'), '0');
  assert.equal(sg(''), '0');
  assert.equal(sg('101, 100,101'), '0,100,101');
  assert.equal(sg('0'), '0');
  assert.throws(() => sg('web'), /Wrong SECURITY_GROUPS "web"/);
  const req = networkRequest(Template.parse('VN_MAD = "bridge"\nAR = [ TYPE = "ETHER", SIZE = "2", PARENT_NETWORK_AR_ID = "0" ]'));
  assert.equal(req.ars[0]!.get('PARENT_NETWORK_AR_ID'), undefined);
});

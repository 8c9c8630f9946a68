import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { networkRequest } from './network-template.js';
import { VlanIds, parseReservedIds, vlanIdsConfig } from './vlan-ids.js';
import type { VnetFields } from './virtual-network.js';

const fields = (text: string): VnetFields => networkRequest(Template.parse(text)).fields;

test('a template asks for automatic VLAN ids with AUTOMATIC_VLAN_ID; a given VLAN_ID wins; the AUTOMATIC_ attributes leave the template', () => {
  const t = Template.parse('VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nAUTOMATIC_VLAN_ID = "YES"\nAUTOMATIC_OUTER_VLAN_ID = "no"');
  const f = networkRequest(t).fields;
  assert.deepEqual([f.vlanId, f.vlanIdAutomatic, f.outerVlanIdAutomatic], ['', true, false]);
  assert.equal(t.get('AUTOMATIC_VLAN_ID'), undefined);
  assert.equal(t.get('AUTOMATIC_OUTER_VLAN_ID'), undefined);
  const given = fields('VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nVLAN_ID = "50"\nAUTOMATIC_VLAN_ID = "YES"');
  assert.deepEqual([given.vlanId, given.vlanIdAutomatic], ['50', false]);
});

test('what each driver needs, with OpenNebula\'s messages', () => {
  assert.throws(() => fields('VN_MAD = "802.1Q"\nVLAN_ID = "5"'), /^Error: PHYDEV is mandatory for driver 802\.1Q$/);
  assert.throws(() => fields('VN_MAD = "vxlan"\nPHYDEV = "eth0"'), /^Error: VLAN_ID \(or AUTOMATIC_VLAN_ID\) is mandatory for driver vxlan$/);
  assert.throws(() => fields('VN_MAD = "dummy"'), /^Error: BRIDGE is mandatory for driver dummy$/);
  assert.throws(() => fields('VN_MAD = "ovswitch_vxlan"\nPHYDEV = "eth0"\nVLAN_ID = "5"'), /OUTER_VLAN_ID \(or AUTOMATIC\) is mandatory for driver ovswitch_vxlan/);
  for (const ok of ['VN_MAD = "bridge"', 'VN_MAD = "ovswitch"', 'VN_MAD = "fw"', 'VN_MAD = "vxlan"\nPHYDEV = "eth0"\nVLAN_ID = "8000042"', 'VN_MAD = "ovswitch_vxlan"\nAUTOMATIC_OUTER_VLAN_ID = "YES"']) {
    assert.doesNotThrow(() => fields(ok), ok);
  }
});

test('802.1Q ids: START + id mod (4095 - START) when free, else the lowest free from START; never reserved ones; given back on delete', () => {
  const ids = new VlanIds(vlanIdsConfig(new Map([['START', '10'], ['RESERVED', '0, 1, 12..13, 4095']]), new Map()));
  const auto = () => fields('VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nAUTOMATIC_VLAN_ID = "YES"');
  const a = auto();
  ids.assign(0, a);
  assert.equal(a.vlanId, '10');
  const b = auto();
  ids.assign(2, b);
  assert.equal(b.vlanId, '11', 'the hint 12 is reserved: the lowest free from START');
  const c = auto();
  ids.assign(4085, c);
  assert.equal(c.vlanId, '14', 'the hint 10 (10 + 4085 mod 4085) is taken: the lowest free, past the reserved 12..13');
  ids.release(a);
  const d = auto();
  ids.assign(4085, d);
  assert.equal(d.vlanId, '10', 'a released id is given again');
  const given = fields('VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nVLAN_ID = "77"');
  ids.assign(5, given);
  assert.equal(given.vlanId, '77', 'a given id is kept and takes nothing from the map');
});

test('a full map refuses; ids of existing networks are taken back at start', () => {
  const ids = new VlanIds(vlanIdsConfig(new Map([['START', '4093']]), new Map()));
  const auto = () => fields('VN_MAD = "ovswitch"\nAUTOMATIC_VLAN_ID = "YES"');
  const first = auto();
  ids.assign(0, first);
  assert.equal(first.vlanId, '4093');
  const second = auto();
  ids.assign(1, second);
  assert.equal(second.vlanId, '4094');
  assert.throws(() => ids.assign(2, auto()), /^Error: Cannot automatically assign VLAN_ID to network\.$/);
  const restarted = new VlanIds(vlanIdsConfig(new Map([['START', '4093']]), new Map()));
  restarted.track(first);
  const again = auto();
  restarted.assign(0, again);
  assert.equal(again.vlanId, '4094', 'the tracked id is not given twice');
  const reservation = { ...again, parentId: 3 };
  restarted.release(reservation);
  assert.throws(() => restarted.assign(5, auto()), /Cannot automatically assign/, 'a reservation gives back no id of its parent');
});

test('VXLAN ids are VXLAN_IDS START + the network id; ovswitch_vxlan takes an 802.1Q inner id and a VXLAN outer id', () => {
  const ids = new VlanIds(vlanIdsConfig(new Map(), new Map([['START', '1000']])));
  const vx = fields('VN_MAD = "vxlan"\nPHYDEV = "eth0"\nAUTOMATIC_VLAN_ID = "YES"');
  ids.assign(7, vx);
  assert.equal(vx.vlanId, '1007');
  const both = fields('VN_MAD = "ovswitch_vxlan"\nAUTOMATIC_VLAN_ID = "YES"\nAUTOMATIC_OUTER_VLAN_ID = "YES"');
  ids.assign(3, both);
  assert.deepEqual([both.vlanId, both.outerVlanId], ['5', '1003']);
  const bridge = fields('VN_MAD = "bridge"\nAUTOMATIC_VLAN_ID = "YES"');
  ids.assign(3, bridge);
  assert.equal(bridge.vlanId, '', 'drivers without VLANs get none');
});

test('oned.conf VLAN_IDS and VXLAN_IDS: defaults, and malformed values refused', () => {
  assert.deepEqual(vlanIdsConfig(new Map(), new Map()), { start: 2, reserved: new Set([0, 1, 4095]), vxlanStart: 2 });
  assert.deepEqual([...parseReservedIds('5, 7..9')], [5, 7, 8, 9]);
  assert.throws(() => parseReservedIds('5, x'), /Wrong VLAN_IDS RESERVED entry "x"/);
  assert.throws(() => vlanIdsConfig(new Map([['START', '-3']]), new Map()), /Wrong VLAN_IDS START "-3"/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree, child, childText } from '../common/xml-tree.js';
import type { Vector } from '../common/template/index.js';
import { parseMacPrefix } from './address.js';
import { AddressRange, HOLD } from './address-range.js';

const PREFIX = parseMacPrefix('02:00')!;
const vec = (o: Record<string, string>): Vector => new Map(Object.entries(o));
const ar = (o: Record<string, string>, id = 0) => AddressRange.fromVector(id, vec(o), PREFIX);

test('IP4: the first MAC is MAC_PREFIX + IP, ends computed, attributes in name order (SHARED = NO by default, as 7.4)', () => {
  const r = ar({ TYPE: 'ip4', IP: '10.0.0.250', SIZE: '10', GATEWAY: '10.0.0.1' }, 3);
  assert.deepEqual(r.addresses(0), { MAC: '02:00:0a:00:00:fa', IP: '10.0.0.250' });
  assert.deepEqual(r.addresses(9), { MAC: '02:00:0a:00:01:03', IP: '10.0.1.3' });
  const xml = parseXmlTree(r.toXml('info'));
  assert.deepEqual(xml.children.map((c) => c.name), ['AR_ID', 'GATEWAY', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE', 'MAC_END', 'IP_END', 'USED_LEASES', 'LEASES']);
  assert.equal(childText(xml, 'SHARED'), 'NO');
  assert.equal(ar({ TYPE: 'ETHER', SIZE: '1', SHARED: 'YES' }).get('SHARED'), 'YES', 'a given SHARED stays');
  assert.equal(childText(xml, 'AR_ID'), '3');
  assert.equal(childText(xml, 'TYPE'), 'IP4');
  assert.equal(childText(xml, 'IP_END'), '10.0.1.3');
  assert.equal(childText(xml, 'MAC_END'), '02:00:0a:00:01:03');
});

test('a given MAC wins; ETHER has MACs only; IP and MAC lookups find their lease', () => {
  const r = ar({ TYPE: 'IP4', IP: '192.168.0.10', MAC: '00:16:3e:00:00:01', SIZE: '5' });
  assert.equal(r.indexOfIp('192.168.0.12'), 2);
  assert.equal(r.indexOfMac('00:16:3e:00:00:05'), 4);
  assert.equal(r.indexOfIp('192.168.0.15'), -1);
  assert.equal(r.indexOfMac('00:16:3e:00:00:06'), -1);
  const e = ar({ TYPE: 'ETHER', SIZE: '3', MAC: '02:00:00:00:00:10', IP: '1.2.3.4' });
  assert.deepEqual(e.addresses(2), { MAC: '02:00:00:00:00:12' });
  assert.equal(e.get('IP'), undefined, 'ETHER ranges keep no IP');
  const random = ar({ TYPE: 'ETHER', SIZE: '3' });
  assert.match(random.addresses(0).MAC, /^02:00:/, 'a made-up MAC starts with MAC_PREFIX');
});

test('IP6 (SLAAC) and IP4_6: ULA, GLOBAL and link-local addresses from the prefix and the MAC', () => {
  const r = ar({ TYPE: 'IP4_6', IP: '10.0.1.2', SIZE: '4', ULA_PREFIX: 'fd00:0:0:1::', GLOBAL_PREFIX: '2001:db8:0:1::' });
  assert.deepEqual(r.addresses(0), {
    MAC: '02:00:0a:00:01:02', IP: '10.0.1.2', IP6_GLOBAL: '2001:db8:0:1:0:aff:fe00:102', IP6_LINK: 'fe80::aff:fe00:102', IP6_ULA: 'fd00::1:0:aff:fe00:102',
  });
  const xml = parseXmlTree(r.toXml('info'));
  assert.equal(childText(xml, 'IP6_ULA'), 'fd00::1:0:aff:fe00:102');
  assert.equal(childText(xml, 'IP6_ULA_END'), 'fd00::1:0:aff:fe00:105');
  assert.equal(childText(xml, 'IP6_GLOBAL_END'), '2001:db8:0:1:0:aff:fe00:105');
  const six = ar({ TYPE: 'IP6', SIZE: '2', MAC: '02:00:00:00:00:01', ULA_PREFIX: 'fd00::' });
  assert.equal(six.addresses(1).IP6_ULA, 'fd00::ff:fe00:2');
  assert.equal(six.addresses(1).IP, undefined);
});

test('IP6_STATIC: consecutive IPv6 addresses from IP6, found by address', () => {
  const r = ar({ TYPE: 'IP6_STATIC', IP6: '2001:db8::fffe', PREFIX_LENGTH: '64', SIZE: '4', MAC: '02:00:00:00:01:00' });
  assert.equal(r.addresses(3).IP6, '2001:db8::1:1');
  assert.equal(r.indexOfIp('2001:db8::1:0'), 2);
  assert.equal(r.indexOfIp('2001:db8::1:2'), -1);
  assert.equal(childText(parseXmlTree(r.toXml('info')), 'IP6_END'), '2001:db8::1:1');
  assert.throws(() => ar({ TYPE: 'IP6_STATIC', IP6: '2001:db8::1', SIZE: '4' }), /PREFIX_LENGTH/);
});

test('bad vectors are refused with the reason', () => {
  assert.throws(() => ar({ TYPE: 'IP5', IP: '10.0.0.1', SIZE: '1' }), /Unknown address range TYPE "IP5"/);
  assert.throws(() => ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: '0' }), /Wrong SIZE "0"/);
  assert.throws(() => ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: 'ten' }), /Wrong SIZE "ten"/);
  assert.throws(() => ar({ TYPE: 'IP4', IP: '10.0.0.1' }), /Wrong SIZE ""/);
  assert.throws(() => ar({ TYPE: 'IP4', IP: '10.0.0.300', SIZE: '1' }), /Wrong IP "10.0.0.300"/);
  assert.throws(() => ar({ TYPE: 'IP4', SIZE: '1' }), /needs a valid IPv4 address/);
  assert.throws(() => ar({ TYPE: 'IP4', IP: '255.255.255.250', SIZE: '10' }), /goes past 255.255.255.255/);
  assert.throws(() => ar({ TYPE: 'ETHER', MAC: 'ff:ff:ff:ff:ff:fe', SIZE: '3' }), /goes past ff:ff:ff:ff:ff:ff/);
  assert.throws(() => ar({ TYPE: 'IP6', SIZE: '1', ULA_PREFIX: 'fd00::1' }), /Wrong ULA_PREFIX/);
});

test('leases: first free is the lowest, holds and frees, exhaustion, LEASES only for used ones', () => {
  const r = ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: '3' });
  assert.equal(r.firstFree(), 0);
  r.take(0, { kind: 'VM', id: 7 });
  r.take(1, HOLD);
  assert.equal(r.firstFree(), 2);
  r.take(2, { kind: 'VNET', id: 4 });
  assert.equal(r.firstFree(), -1, 'full');
  r.free(1);
  assert.equal(r.firstFree(), 1, 'a freed lease is found again');
  assert.equal(r.usedCount, 2);
  const xml = parseXmlTree(r.toXml('info'));
  const leases = child(xml, 'LEASES')!.children;
  assert.deepEqual(leases.map((l) => l.children.map((c) => `${c.name}=${c.text}`)), [
    ['IP=10.0.0.1', 'MAC=02:00:0a:00:00:01', 'VM=7'],
    ['IP=10.0.0.3', 'MAC=02:00:0a:00:00:03', 'VNET=4'],
  ]);
  const listing = parseXmlTree(r.toXml('pool'));
  assert.equal(child(listing, 'LEASES'), undefined);
  assert.equal(childText(listing, 'ALLOCATED'), ` 0 ${0x1000000000 + 7} 2 ${0x4000000000 + 4}`);
});

test('the pool listing shows the AR as 7.4 stores it: attributes in name order with ALLOCATED once it had a lease, nothing computed', () => {
  const r = ar({ TYPE: 'IP4_6', IP: '10.0.0.1', SIZE: '3', GLOBAL_PREFIX: '2001:db8::' });
  const names = () => parseXmlTree(r.toXml('pool')).children.map((c) => c.name);
  assert.deepEqual(names(), ['AR_ID', 'GLOBAL_PREFIX', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE'], 'no ALLOCATED before the first lease');
  r.take(1, HOLD);
  assert.deepEqual(names(), ['ALLOCATED', 'AR_ID', 'GLOBAL_PREFIX', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE']);
  assert.equal(childText(parseXmlTree(r.toXml('pool')), 'ALLOCATED'), ` 1 ${0x10ffffffff}`, 'a hold is VM -1 as a 32-bit id');
  r.free(1);
  const listing = parseXmlTree(r.toXml('pool'));
  assert.equal(child(listing, 'ALLOCATED')?.text, '', 'ALLOCATED stays, empty, once every lease is free again');
  const fresh = ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: '3' });
  fresh.markAllocated();
  assert.equal(child(parseXmlTree(fresh.toXml('pool')), 'ALLOCATED')?.text, '', 'an AR that had leases before a restart (its AR row) shows it too');
});

test('a stored AR reads back with its leases and owners', () => {
  const r = ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: '40', DNS: '8.8.8.8' }, 2);
  r.take(35, { kind: 'VM', id: 1 });
  r.take(3, HOLD);
  const back = AddressRange.fromXml(parseXmlTree(r.toXml('info')));
  assert.equal(back.toXml('info'), r.toXml('info'));
  assert.deepEqual(back.ownerOf(3), HOLD);
  assert.deepEqual(back.ownerOf(35), { kind: 'VM', id: 1 });
  assert.equal(back.isUsed(35), true);
  assert.equal(back.firstFree(), 0);
});

test('a /16 holds 65,536 leases in a bitmap: allocating all of them walks words, not leases', () => {
  const r = ar({ TYPE: 'IP4', IP: '10.1.0.0', SIZE: '65536' });
  for (let i = 0; i < 65536; i++) {
    const index = r.firstFree();
    assert.equal(index, i);
    r.take(index, { kind: 'VM', id: i });
  }
  assert.equal(r.firstFree(), -1);
  r.free(40000);
  assert.equal(r.firstFree(), 40000);
  assert.equal(r.addresses(65535).IP, '10.1.255.255');
  assert.equal(r.indexOfIp('10.1.156.64'), 40000);
});

test('consecutive free runs for reservations; update_ar keeps restricted attributes and checks SIZE', () => {
  const r = ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: '10' });
  r.take(2, HOLD);
  assert.equal(r.freeRun(3), 3);
  assert.equal(r.freeRun(2), 0);
  assert.equal(r.freeRun(3, 1, true), -1);
  assert.equal(r.freeRun(8), -1);
  r.update(vec({ SIZE: '20', IP: '99.0.0.1', TYPE: 'ETHER', GATEWAY: '10.0.0.254' }));
  assert.equal(r.size, 20);
  assert.equal(r.get('IP'), '10.0.0.1');
  assert.equal(r.get('TYPE'), 'IP4');
  assert.equal(r.get('GATEWAY'), '10.0.0.254');
  assert.equal(r.freeRun(8), 3);
  assert.throws(() => r.update(vec({ SIZE: '2' })), /lease 2 is in use/);
  assert.equal(r.size, 20);
});

test('overlap: shared MACs or IPv4 addresses', () => {
  const a = ar({ TYPE: 'IP4', IP: '10.0.0.1', SIZE: '10' });
  assert.equal(a.overlaps(ar({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' })), true);
  assert.equal(a.overlaps(ar({ TYPE: 'IP4', IP: '10.0.0.11', SIZE: '10' })), false);
  assert.equal(a.overlaps(ar({ TYPE: 'IP4', IP: '10.0.1.1', MAC: '02:00:0a:00:00:05', SIZE: '1' })), true, 'same MAC');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eui64, formatIp4, formatIp6, formatMac, macFromIp4, parseIp4, parseIp6, parseMac, parseMacPrefix, parsePrefix64 } from './address.js';

test('IPv4: dotted quads both ways, bad ones refused', () => {
  assert.equal(parseIp4('10.0.1.2'), 10 * 2 ** 24 + 1 * 256 + 2);
  assert.equal(formatIp4(parseIp4('192.168.255.254')! + 1), '192.168.255.255');
  assert.equal(formatIp4(parseIp4('10.0.0.255')! + 1), '10.0.1.0', 'carries into the next byte');
  assert.equal(formatIp4(2 ** 32 - 1), '255.255.255.255');
  for (const bad of ['10.0.0', '10.0.0.256', '1.2.3.4.5', 'a.b.c.d', '', '10.0.0.-1']) assert.equal(parseIp4(bad), undefined, bad);
});

test('MAC: parsed, printed lower-case and padded; MAC_PREFIX + IPv4 as OpenNebula derives it', () => {
  assert.equal(formatMac(parseMac('02:00:0A:00:01:FF')!), '02:00:0a:00:01:ff');
  assert.equal(formatMac(parseMac('02:00:0a:00:01:ff')! + 1), '02:00:0a:00:02:00');
  assert.equal(parseMac('02:00:0a:00:01'), undefined);
  assert.equal(parseMac('zz:00:0a:00:01:02'), undefined);
  const prefix = parseMacPrefix('02:00')!;
  assert.equal(formatMac(macFromIp4(prefix, parseIp4('10.0.1.2')!)), '02:00:0a:00:01:02');
  assert.equal(formatMac(macFromIp4(parseMacPrefix('AA:bb')!, parseIp4('192.168.0.1')!)), 'aa:bb:c0:a8:00:01');
  assert.equal(parseMacPrefix('02:00:00'), undefined);
});

test('IPv6: the text forms parse to the same number and print in RFC 5952 form', () => {
  const n = parseIp6('2001:0db8:0000:0000:0000:ff00:0042:8329')!;
  assert.equal(parseIp6('2001:db8::ff00:42:8329'), n);
  assert.equal(formatIp6(n), '2001:db8::ff00:42:8329');
  assert.equal(formatIp6(0n), '::');
  assert.equal(formatIp6(1n), '::1');
  assert.equal(formatIp6(parseIp6('fd00:0:0:1::')!), 'fd00:0:0:1::');
  assert.equal(formatIp6(parseIp6('1:0:0:2:0:0:0:3')!), '1:0:0:2::3', 'the longest zero run is shortened');
  for (const bad of ['1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7', '']) assert.equal(parseIp6(bad), undefined, bad);
});

test('SLAAC: /64 prefixes and the modified EUI-64 interface id of a MAC', () => {
  assert.equal(parsePrefix64('fd00:0:0:1'), parseIp6('fd00:0:0:1::'));
  assert.equal(parsePrefix64('2001:db8::1'), undefined, 'bits in the interface half');
  // 02:00:0a:00:01:02 -> U/L bit flipped (00), ff:fe inserted: 0000:0aff:fe00:0102
  const iid = eui64(parseMac('02:00:0a:00:01:02')!);
  assert.equal(formatIp6(parsePrefix64('fd00::')! | iid), 'fd00::aff:fe00:102');
  assert.equal(formatIp6(eui64(parseMac('00:11:22:33:44:55')!)), '::211:22ff:fe33:4455');
});

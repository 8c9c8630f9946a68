import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vector } from '../../../common/template/index.js';
import { Ec2Error } from '../errors.js';
import { Params } from '../params.js';
import { authorizeRules, parseCidr, permissionsFrom, rangeToCidrs, revokeRules, rulesToPermissions } from './sg-rules.js';

const params = (o: Record<string, string>) => Params.of(Object.entries(o));
const rule = (o: Record<string, string>): Vector => new Map(Object.entries(o));
const plain = (rules: Vector[]) => rules.map((r) => Object.fromEntries(r));
const code = (c: string) => (e: unknown) => e instanceof Ec2Error && e.code === c;

test('CIDR blocks become IP + SIZE and back; host bits are cleared', () => {
  assert.deepEqual(parseCidr('10.0.0.5/24', 'x'), { ip: 0x0a000000, prefix: 24 });
  assert.deepEqual(parseCidr('0.0.0.0/0', 'x'), { ip: 0, prefix: 0 });
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', '::/0', 'x/8']) assert.throws(() => parseCidr(bad, 'CidrIp'), code('InvalidParameterValue'), bad);
  assert.deepEqual(rangeToCidrs(0x0a000000, 256), ['10.0.0.0/24']);
  assert.deepEqual(rangeToCidrs(0x0a000001, 4), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/32']);
  assert.deepEqual(rangeToCidrs(0, 2 ** 32), ['0.0.0.0/0']);
});

test('IpPermissions.N members and the older single form are read and checked', () => {
  const p = permissionsFrom(params({
    'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.FromPort': '22', 'IpPermissions.1.ToPort': '22',
    'IpPermissions.1.IpRanges.1.CidrIp': '10.0.0.0/8', 'IpPermissions.1.IpRanges.2.CidrIp': '192.168.1.0/24', 'IpPermissions.1.IpRanges.2.Description': 'lan',
    'IpPermissions.2.IpProtocol': '-1',
  }));
  assert.deepEqual(p, [
    { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '10.0.0.0/8' }, { cidrIp: '192.168.1.0/24', description: 'lan' }] },
    { ipProtocol: '-1', fromPort: undefined, toPort: undefined, ipRanges: [] },
  ]);
  assert.deepEqual(permissionsFrom(params({ IpProtocol: 'udp', FromPort: '53', ToPort: '53', CidrIp: '1.2.3.4/32' })), [
    { ipProtocol: 'udp', fromPort: 53, toPort: 53, ipRanges: [{ cidrIp: '1.2.3.4/32' }] },
  ]);
  const refusals: Array<[Record<string, string>, string, RegExp]> = [
    [{}, 'MissingParameter', /IpPermissions/],
    [{ 'IpPermissions.1.FromPort': '22' }, 'MissingParameter', /IpPermissions\.1\.IpProtocol/],
    [{ 'IpPermissions.1.IpProtocol': 'gre' }, 'InvalidParameterValue', /not a supported protocol/],
    [{ 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.FromPort': '90', 'IpPermissions.1.ToPort': '80' }, 'InvalidParameterValue', /ends before it starts/],
    [{ 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.FromPort': '70000', 'IpPermissions.1.ToPort': '70000' }, 'InvalidParameterValue', /0 to 65535/],
    [{ 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.FromPort': 'x' }, 'InvalidParameterValue', /not a port/],
    [{ 'IpPermissions.1.IpProtocol': 'icmp', 'IpPermissions.1.FromPort': '8', 'IpPermissions.1.ToPort': '0' }, 'InvalidParameterValue', /ICMP code/],
    [{ 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.Ipv6Ranges.1.CidrIpv6': '::/0' }, 'InvalidParameterValue', /IPv6/],
    [{ 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.Groups.1.GroupId': 'sg-00000001' }, 'InvalidParameterValue', /other security groups/],
    [{ 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.IpRanges.1.Description': 'x' }, 'MissingParameter', /IpRanges\.1\.CidrIp/],
    [{ 'IpPermissions.x.IpProtocol': 'tcp' }, 'InvalidParameterValue', /numbered/],
    [{ SourceSecurityGroupName: 'web' }, 'InvalidParameterValue', /other security groups/],
  ];
  for (const [o, c, m] of refusals) assert.throws(() => permissionsFrom(params(o)), (e: unknown) => code(c)(e) && m.test((e as Error).message), JSON.stringify(o));
});

test('authorize turns permissions into RULEs, one per CIDR, and refuses duplicates', () => {
  const start = [rule({ PROTOCOL: 'ALL', RULE_TYPE: 'outbound' })];
  const rules = authorizeRules(start, [
    { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '10.0.0.0/8' }, { cidrIp: '0.0.0.0/0' }] },
    { ipProtocol: '6', fromPort: 0, toPort: 65535, ipRanges: [{ cidrIp: '192.168.0.7/32' }] },
    { ipProtocol: 'icmp', fromPort: 8, toPort: -1, ipRanges: [] },
    { ipProtocol: 'udp', fromPort: 1000, toPort: 2000, ipRanges: [{ cidrIp: '1.2.3.0/24' }] },
  ], 'inbound');
  assert.deepEqual(plain(rules), [
    { PROTOCOL: 'ALL', RULE_TYPE: 'outbound' },
    { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22', IP: '10.0.0.0', SIZE: '16777216' },
    { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22' },
    { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', IP: '192.168.0.7', SIZE: '1' },
    { PROTOCOL: 'ICMP', RULE_TYPE: 'inbound', ICMP_TYPE: '8' },
    { PROTOCOL: 'UDP', RULE_TYPE: 'inbound', RANGE: '1000:2000', IP: '1.2.3.0', SIZE: '256' },
  ]);
  // The same rule again, even as a hand-written "22,80" rule holds it: Duplicate.
  assert.throws(() => authorizeRules(rules, [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0' }] }], 'inbound'), code('InvalidPermission.Duplicate'));
  const hand = [rule({ PROTOCOL: 'tcp', RULE_TYPE: 'INBOUND', RANGE: '22,80', IP: '10.0.0.0', SIZE: '256' })];
  assert.throws(() => authorizeRules(hand, [{ ipProtocol: 'tcp', fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: '10.0.0.0/24' }] }], 'inbound'), code('InvalidPermission.Duplicate'));
  // The same ports outbound are another rule.
  assert.equal(authorizeRules(hand, [{ ipProtocol: 'tcp', fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: '10.0.0.0/24' }] }], 'outbound').length, 2);
});

test('revoke removes exactly the atoms asked, splitting a wider rule, and refuses what is not there', () => {
  const hand = [
    rule({ PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22,80:90', IP: '10.0.0.0', SIZE: '512' }),
    rule({ PROTOCOL: 'ALL', RULE_TYPE: 'outbound' }),
  ];
  const after = revokeRules(hand, [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '10.0.0.0/23' }] }], 'inbound');
  assert.deepEqual(plain(after), [
    { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '80:90', IP: '10.0.0.0', SIZE: '512' },
    { PROTOCOL: 'ALL', RULE_TYPE: 'outbound' },
  ]);
  assert.deepEqual(plain(revokeRules(after, [{ ipProtocol: '-1', ipRanges: [{ cidrIp: '0.0.0.0/0' }] }], 'outbound')).length, 1);
  // EC2 matches rules exactly: a part of a block, another port or direction is not there.
  for (const p of [
    { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '10.0.1.0/24' }] },
    { ipProtocol: 'tcp', fromPort: 23, toPort: 23, ipRanges: [] },
    { ipProtocol: '-1', ipRanges: [] },
  ]) assert.throws(() => revokeRules(hand, [p], 'inbound'), code('InvalidPermission.NotFound'), JSON.stringify(p));
  // An IP + SIZE off the CIDR boundaries is revoked block by block.
  const odd = [rule({ PROTOCOL: 'UDP', RULE_TYPE: 'inbound', IP: '10.0.0.1', SIZE: '3' })];
  assert.deepEqual(plain(revokeRules(odd, [{ ipProtocol: 'udp', ipRanges: [{ cidrIp: '10.0.0.1/32' }] }], 'inbound')), [
    { PROTOCOL: 'UDP', RULE_TYPE: 'inbound', IP: '10.0.0.2', SIZE: '2' },
  ]);
});

test('rules read back as EC2 permissions grouped by protocol and ports', () => {
  const rules = [
    rule({ PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22' }),
    rule({ PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '22:22', IP: '10.0.0.1', SIZE: '3' }),
    rule({ PROTOCOL: 'UDP', RULE_TYPE: 'inbound' }),
    rule({ PROTOCOL: 'ICMP', RULE_TYPE: 'inbound' }),
    rule({ PROTOCOL: 'ICMP', RULE_TYPE: 'inbound', ICMP_TYPE: '8', NETWORK_ID: '4' }),
    rule({ PROTOCOL: 'ALL', RULE_TYPE: 'outbound' }),
    rule({ PROTOCOL: 'IPSEC', RULE_TYPE: 'outbound' }),
  ];
  assert.deepEqual(rulesToPermissions(rules, 'inbound'), [
    { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0' }, { cidrIp: '10.0.0.1/32' }, { cidrIp: '10.0.0.2/31' }] },
    { ipProtocol: 'udp', fromPort: 0, toPort: 65535, ipRanges: [{ cidrIp: '0.0.0.0/0' }] },
    { ipProtocol: 'icmp', fromPort: -1, toPort: -1, ipRanges: [{ cidrIp: '0.0.0.0/0' }] },
    { ipProtocol: 'icmp', fromPort: 8, toPort: -1, ipRanges: [{ description: 'OpenNebula network 4' }] },
  ]);
  assert.deepEqual(rulesToPermissions(rules, 'outbound'), [
    { ipProtocol: '-1', fromPort: undefined, toPort: undefined, ipRanges: [{ cidrIp: '0.0.0.0/0' }] },
    { ipProtocol: '50', fromPort: undefined, toPort: undefined, ipRanges: [{ cidrIp: '0.0.0.0/0' }] },
  ]);
  // What authorize writes reads back as what was authorized.
  const perm = { ipProtocol: 'tcp', fromPort: 8000, toPort: 8080, ipRanges: [{ cidrIp: '172.16.0.0/12' }] };
  assert.deepEqual(rulesToPermissions(authorizeRules([], [perm], 'inbound'), 'inbound'), [perm]);
});

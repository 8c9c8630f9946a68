/**
 * EC2 security-group permissions and OpenNebula security-group RULEs, both ways.
 *
 * An EC2 `IpPermission` (protocol, port range, CIDR ranges) becomes one RULE per CIDR:
 * `tcp` / `udp` / `icmp` / `-1` (or their numbers 6, 17, 1) → PROTOCOL TCP / UDP / ICMP / ALL;
 * ports `From:To` → RANGE (none for all ports, 0-65535 or -1); an ICMP type → ICMP_TYPE (the code
 * must be -1: OpenNebula filters by type only); `a.b.c.d/n` → IP (the network address) + SIZE
 * (2^(32-n)), `0.0.0.0/0` → no address (any). Ingress rules are RULE_TYPE inbound, egress outbound.
 *
 * Rules are compared as "atoms": one protocol, direction, port range (or ICMP type) and address
 * block each, so a rule written by hand as `RANGE = "22,80"` or `IP`/`SIZE` not on a CIDR
 * boundary still matches what EC2 clients authorize and revoke, piece by piece.
 */
import type { Vector } from '../../../common/template/index.js';
import { Ec2Error, invalid, missing } from '../errors.js';
import type { Params } from '../params.js';

export type Direction = 'inbound' | 'outbound';

export interface IpRange {
  readonly cidrIp?: string;
  readonly description?: string;
}

/** An EC2 IpPermission, as a request gives it or a description shows it. */
export interface IpPermission {
  /** `tcp`, `udp`, `icmp`, `-1` (all), or a protocol number. */
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly ipRanges: readonly IpRange[];
}

/** One protocol, direction, port range or ICMP type, and address block. */
interface Atom {
  /** OpenNebula's PROTOCOL, upper case. */
  readonly proto: string;
  readonly dir: Direction;
  /** '' all ports, `22`, or `80:90`. */
  readonly ports: string;
  /** '' any ICMP type, else the type. */
  readonly icmp: string;
  /** '' any address, `a.b.c.d/n`, or `net:N` (every range of network N). */
  readonly block: string;
}

const PROTOCOLS: Record<string, string> = { tcp: 'TCP', '6': 'TCP', udp: 'UDP', '17': 'UDP', icmp: 'ICMP', '1': 'ICMP', '-1': 'ALL', all: 'ALL' };
/** How EC2 writes each OpenNebula protocol (ESP is IP protocol 50, ICMPv6 58). */
const EC2_PROTOCOLS: Record<string, string> = { TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', ALL: '-1', ICMPV6: '58', IPSEC: '50' };

const IP4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ip4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * `a.b.c.d/n` as its first address and size; host bits are cleared (`10.0.0.5/24` is
 * `10.0.0.0/24`). `0.0.0.0/0` is { ip: 0, size: 2^32 }.
 * @throws Ec2Error InvalidParameterValue naming `param`
 */
export function parseCidr(text: string, param: string): { ip: number; prefix: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m || !IP4.test(m[1]!) || Number(m[2]) > 32) throw invalid(param, `"${text}" is not an IPv4 CIDR block such as 10.0.0.0/24 (IPv6 ranges are not supported)`);
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { ip: (ip4ToInt(m[1]!) & mask) >>> 0, prefix };
}

/** The fewest CIDR blocks covering `size` addresses from `ip` (an IP + SIZE of a rule). */
export function rangeToCidrs(ip: number, size: number): string[] {
  const out: string[] = [];
  let start = ip;
  let left = Math.min(size, 2 ** 32 - ip);
  while (left > 0) {
    // The largest block aligned at `start` that fits in what is left.
    let bits = 0;
    while (bits < 32 && start % 2 ** (bits + 1) === 0 && 2 ** (bits + 1) <= left) bits++;
    out.push(`${intToIp4(start)}/${32 - bits}`);
    start += 2 ** bits;
    left -= 2 ** bits;
  }
  return out;
}

/** `from:to` as a RANGE part ('' when it covers every port). */
function portsText(from: number, to: number): string {
  if (from <= 0 && to >= 65535) return '';
  return from === to ? String(from) : `${from}:${to}`;
}

/** A RANGE part as written in a rule, normalized like {@link portsText}. */
function normalizePorts(part: string): string {
  const [a, b = a] = part.split(':').map(Number);
  return portsText(a!, b!);
}

function optionalPort(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,5}$/.test(value)) throw invalid(param, `"${value}" is not a port number`);
  return Number(value);
}

/** The members `prefix.N.rest` of the request, by N (numbered from 1). */
function members(params: Params, prefix: string): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of params.map) {
    const m = re.exec(k);
    if (!m) {
      if (k.startsWith(`${prefix}.`)) throw invalid(k, `"${prefix}" members are numbered ${prefix}.1, ${prefix}.2...`);
      continue;
    }
    let member = out.get(Number(m[1]));
    if (!member) out.set(Number(m[1]), (member = new Map()));
    member.set(m[2]!, v);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/** The CIDR ranges `IpRanges.M.CidrIp` of one permission member. */
function rangesOf(member: ReadonlyMap<string, string>, where: string): IpRange[] {
  const ranges = new Map<number, { cidrIp?: string; description?: string }>();
  for (const [k, v] of member) {
    const m = /^IpRanges\.(\d+)\.(CidrIp|Description)$/.exec(k);
    if (m) {
      const r = ranges.get(Number(m[1])) ?? {};
      if (m[2] === 'CidrIp') r.cidrIp = v;
      else r.description = v;
      ranges.set(Number(m[1]), r);
    } else if (/^Ipv6Ranges\./.test(k)) {
      throw invalid(`${where}.${k}`, 'IPv6 ranges are not supported: OpenNebula security groups filter IPv4 only');
    } else if (/^(Groups|PrefixListIds)\./.test(k)) {
      throw invalid(`${where}.${k}`, 'rules naming other security groups or prefix lists are not supported: give IpRanges');
    } else if (!['IpProtocol', 'FromPort', 'ToPort'].includes(k)) {
      throw invalid(`${where}.${k}`, 'unknown member of an IpPermission');
    }
  }
  return [...ranges.entries()].sort((a, b) => a[0] - b[0]).map(([n, r]) => {
    if (r.cidrIp === undefined) throw missing(`${where}.IpRanges.${n}.CidrIp`);
    return r;
  });
}

/**
 * The permissions of an Authorize/Revoke request: `IpPermissions.N.*`, or the older single form
 * (`IpProtocol`, `FromPort`, `ToPort`, `CidrIp`) that some tools send.
 * @throws Ec2Error MissingParameter / InvalidParameterValue
 */
export function permissionsFrom(params: Params): IpPermission[] {
  if (params.has('SourceSecurityGroupName') || params.has('SourceSecurityGroupOwnerId')) {
    throw invalid('SourceSecurityGroupName', 'rules naming other security groups are not supported: give a CIDR range');
  }
  const list = members(params, 'IpPermissions');
  if (list.size === 0) {
    const proto = params.optional('IpProtocol');
    if (proto === undefined) throw missing('IpPermissions');
    const cidr = params.optional('CidrIp') ?? '0.0.0.0/0';
    return [checked({ ipProtocol: proto, fromPort: optionalPort(params.optional('FromPort'), 'FromPort'), toPort: optionalPort(params.optional('ToPort'), 'ToPort'), ipRanges: [{ cidrIp: cidr }] }, '')];
  }
  return [...list].map(([n, m]) => {
    const where = `IpPermissions.${n}`;
    const ipProtocol = m.get('IpProtocol');
    if (ipProtocol === undefined || ipProtocol === '') throw missing(`${where}.IpProtocol`);
    return checked({
      ipProtocol,
      fromPort: optionalPort(m.get('FromPort'), `${where}.FromPort`),
      toPort: optionalPort(m.get('ToPort'), `${where}.ToPort`),
      ipRanges: rangesOf(m, where),
    }, `${where}.`);
  });
}

/** The permission with its protocol and ports checked (CIDRs are checked when made into atoms). */
function checked(p: IpPermission, where: string): IpPermission {
  const proto = PROTOCOLS[p.ipProtocol.toLowerCase()];
  if (!proto) throw invalid(`${where}IpProtocol`, `"${p.ipProtocol}" is not a supported protocol (tcp, udp, icmp, or -1 for all)`);
  if (proto === 'TCP' || proto === 'UDP') {
    const from = p.fromPort ?? p.toPort;
    const to = p.toPort ?? p.fromPort;
    if (from !== undefined && to !== undefined && !(from === -1 && to === -1)) {
      if (from < 0 || from > 65535) throw invalid(`${where}FromPort`, `${from} is not a port from 0 to 65535`);
      if (to < 0 || to > 65535) throw invalid(`${where}ToPort`, `${to} is not a port from 0 to 65535`);
      if (from > to) throw invalid(`${where}FromPort`, `the range ${from}-${to} ends before it starts`);
    }
  } else if (proto === 'ICMP') {
    if (p.fromPort !== undefined && (p.fromPort < -1 || p.fromPort > 255)) throw invalid(`${where}FromPort`, `${p.fromPort} is not an ICMP type (0 to 255, or -1 for all)`);
    if (p.toPort !== undefined && p.toPort !== -1) throw invalid(`${where}ToPort`, 'OpenNebula filters ICMP by type only: give -1 as the ICMP code');
  }
  return p;
}

/** The atoms a permission stands for. */
function permissionAtoms(p: IpPermission, dir: Direction): Atom[] {
  const proto = PROTOCOLS[p.ipProtocol.toLowerCase()]!;
  let ports = '';
  let icmp = '';
  if (proto === 'TCP' || proto === 'UDP') {
    const from = p.fromPort ?? p.toPort;
    const to = p.toPort ?? p.fromPort;
    if (from !== undefined && to !== undefined && !(from === -1 && to === -1)) ports = portsText(from, to);
  } else if (proto === 'ICMP' && p.fromPort !== undefined && p.fromPort !== -1) {
    icmp = String(p.fromPort);
  }
  const ranges = p.ipRanges.length > 0 ? p.ipRanges : [{ cidrIp: '0.0.0.0/0' }];
  return ranges.map((r, i) => {
    const { ip, prefix } = parseCidr(r.cidrIp ?? '', `IpRanges.${i + 1}.CidrIp`);
    return { proto, dir, ports, icmp, block: prefix === 0 ? '' : `${intToIp4(ip)}/${prefix}` };
  });
}

/** The atoms of a RULE (RANGE parts × address blocks). */
function ruleAtoms(rule: Vector): Atom[] {
  const proto = (rule.get('PROTOCOL') ?? '').trim().toUpperCase();
  const dir = (rule.get('RULE_TYPE') ?? '').trim().toLowerCase() === 'outbound' ? 'outbound' : 'inbound';
  const range = (rule.get('RANGE') ?? '').trim();
  const portList = range === '' ? [''] : range.split(',').map(normalizePorts);
  const icmp = proto === 'ICMP' ? (rule.get('ICMP_TYPE') ?? '').trim() : '';
  const ip = (rule.get('IP') ?? '').trim();
  let blocks: string[];
  if (ip !== '' && IP4.test(ip)) blocks = rangeToCidrs(ip4ToInt(ip), Number(rule.get('SIZE') ?? 1)).map((b) => (b === '0.0.0.0/0' ? '' : b));
  else if (ip !== '') blocks = [`${ip}+${(rule.get('SIZE') ?? '').trim()}`]; // IPv6: kept as written
  else if ((rule.get('NETWORK_ID') ?? '').trim() !== '') blocks = [`net:${rule.get('NETWORK_ID')!.trim()}`];
  else blocks = [''];
  return portList.flatMap((ports) => blocks.map((block) => ({ proto, dir, ports, icmp, block }) as Atom));
}

const keyOf = (a: Atom) => `${a.proto}|${a.dir}|${a.ports}|${a.icmp}|${a.block}`;

/** The RULE of one atom, in OpenNebula's attribute order. */
function atomRule(a: Atom): Vector {
  const rule: Vector = new Map([['PROTOCOL', a.proto], ['RULE_TYPE', a.dir]]);
  if (a.ports) rule.set('RANGE', a.ports);
  if (a.icmp) rule.set('ICMP_TYPE', a.icmp);
  if (a.block.startsWith('net:')) rule.set('NETWORK_ID', a.block.slice(4));
  else if (a.block.includes('+')) {
    const [ip, size] = a.block.split('+');
    rule.set('IP', ip!);
    rule.set('SIZE', size!);
  } else if (a.block) {
    const { ip, prefix } = parseCidr(a.block, 'CidrIp');
    rule.set('IP', intToIp4(ip));
    rule.set('SIZE', String(2 ** (32 - prefix)));
  }
  return rule;
}

/** How EC2 prints a rule in its Duplicate / NotFound messages. */
function describeAtom(a: Atom): string {
  const peer = a.block === '' ? '0.0.0.0/0' : a.block.startsWith('net:') ? `network ${a.block.slice(4)}` : a.block;
  const ports = a.ports ? a.ports.replace(':', '-') : a.icmp ? `type ${a.icmp}` : 'all';
  return `peer: ${peer}, ${a.proto}, ports: ${ports}, ${a.dir === 'inbound' ? 'ingress' : 'egress'}`;
}

/** The RULEs `existing` plus the permissions (InvalidPermission.Duplicate when one is already there). */
export function authorizeRules(existing: readonly Vector[], perms: readonly IpPermission[], dir: Direction): Vector[] {
  const have = new Set(existing.flatMap(ruleAtoms).map(keyOf));
  const added: Atom[] = [];
  for (const a of perms.flatMap((p) => permissionAtoms(p, dir))) {
    if (have.has(keyOf(a))) throw new Ec2Error('InvalidPermission.Duplicate', `The specified rule "${describeAtom(a)}" already exists`);
    have.add(keyOf(a));
    added.push(a);
  }
  return [...existing, ...added.map(atomRule)];
}

/**
 * The RULEs `existing` without the permissions. A rule holding a revoked atom is replaced by
 * rules for its other atoms; the others stay as written. Every permission must be there
 * (InvalidPermission.NotFound, nothing changed, otherwise).
 */
export function revokeRules(existing: readonly Vector[], perms: readonly IpPermission[], dir: Direction): Vector[] {
  const revoked = new Set<string>();
  for (const a of perms.flatMap((p) => permissionAtoms(p, dir))) revoked.add(keyOf(a));
  const found = new Set<string>();
  const out: Vector[] = [];
  for (const rule of existing) {
    const atoms = ruleAtoms(rule);
    const hit = atoms.filter((a) => revoked.has(keyOf(a)));
    if (hit.length === 0) {
      out.push(rule);
      continue;
    }
    for (const a of hit) found.add(keyOf(a));
    out.push(...atoms.filter((a) => !revoked.has(keyOf(a))).map(atomRule));
  }
  for (const a of perms.flatMap((p) => permissionAtoms(p, dir))) {
    if (!found.has(keyOf(a))) throw new Ec2Error('InvalidPermission.NotFound', `The specified rule "${describeAtom(a)}" does not exist in this security group`);
  }
  return out;
}

/**
 * The permissions of a group's RULEs in one direction, as DescribeSecurityGroups shows them:
 * one per protocol and port range (or ICMP type), with its CIDR ranges. A rule on a network
 * (NETWORK_ID) shows as a range without CidrIp, described `OpenNebula network N`.
 */
export function rulesToPermissions(rules: readonly Vector[], dir: Direction): IpPermission[] {
  const byKey = new Map<string, { p: Omit<IpPermission, 'ipRanges'>; ranges: IpRange[]; seen: Set<string> }>();
  for (const a of rules.flatMap(ruleAtoms)) {
    if (a.dir !== dir) continue;
    const ipProtocol = EC2_PROTOCOLS[a.proto] ?? a.proto.toLowerCase();
    let fromPort: number | undefined;
    let toPort: number | undefined;
    if (a.proto === 'TCP' || a.proto === 'UDP') {
      const [f, t = f] = a.ports === '' ? [0, 65535] : a.ports.split(':').map(Number);
      [fromPort, toPort] = [f, t];
    } else if (a.proto === 'ICMP') {
      [fromPort, toPort] = [a.icmp === '' ? -1 : Number(a.icmp), -1];
    }
    const key = `${ipProtocol}|${fromPort}|${toPort}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { p: { ipProtocol, fromPort, toPort }, ranges: [], seen: new Set() }));
    if (entry.seen.has(a.block)) continue;
    entry.seen.add(a.block);
    if (a.block.startsWith('net:')) entry.ranges.push({ description: `OpenNebula network ${a.block.slice(4)}` });
    else if (a.block.includes('+')) entry.ranges.push({ description: `IPv6 ${a.block.replace('+', ', size ')}` });
    else entry.ranges.push({ cidrIp: a.block === '' ? '0.0.0.0/0' : a.block });
  }
  return [...byKey.values()].map((e) => ({ ...e.p, ipRanges: e.ranges }));
}

/** The rule every group EC2 makes starts with, as in a VPC: all traffic out. */
export const ALLOW_ALL_EGRESS: Vector = new Map([['PROTOCOL', 'ALL'], ['RULE_TYPE', 'outbound']]);

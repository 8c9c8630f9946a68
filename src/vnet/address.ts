/**
 * Address arithmetic of address ranges: IPv4 addresses as 32-bit numbers, MACs as 48-bit
 * numbers (exact in a double), IPv6 addresses as 128-bit bigints, and OpenNebula's derivations
 * between them (MAC from MAC_PREFIX + IPv4, SLAAC interface ids from the MAC).
 */

/** OpenNebula's default MAC_PREFIX: the first two bytes of the MACs it makes up. */
export const DEFAULT_MAC_PREFIX = '02:00';

/** `a.b.c.d` as a number, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIp4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIp4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `xx:xx:xx:xx:xx:xx` as a number, or undefined when it is not a MAC address. */
export function parseMac(text: string): number | undefined {
  const parts = text.trim().split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number.parseInt(p, 16), 0);
}

/** Lower-case, zero-padded, as OpenNebula prints MACs. */
export function formatMac(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

/** MAC_PREFIX (`xx:xx`) as the top 16 bits of a MAC; undefined when malformed. */
export function parseMacPrefix(text: string): number | undefined {
  const parts = text.trim().split(':');
  if (parts.length !== 2 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Number.parseInt(parts[0]!, 16) * 256 + Number.parseInt(parts[1]!, 16);
}

/** The MAC OpenNebula gives an IPv4 address: the 16-bit prefix, then the address's 4 bytes. */
export function macFromIp4(prefix: number, ip: number): number {
  return prefix * 2 ** 32 + ip;
}

/** Largest MAC value (48 bits). */
export const MAX_MAC = 2 ** 48 - 1;

/** An IPv6 address (any RFC 4291 text form, no zone) as a bigint, or undefined. */
export function parseIp6(text: string): bigint | undefined {
  const t = text.trim().toLowerCase();
  if (t === '' || !/^[0-9a-f:]+$/.test(t)) return undefined;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return n;
}

/** The RFC 5952 text form (lower case, longest zero run as `::`). */
export function formatIp6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/**
 * A /64 prefix as ULA_PREFIX or GLOBAL_PREFIX write it (`fd00::`, `2001:db8:0:1::`, or the
 * first four groups), shifted to the top 64 bits; undefined when it is no address or has bits
 * in the interface half.
 */
export function parsePrefix64(text: string): bigint | undefined {
  let t = text.trim();
  if (/^[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){3}$/.test(t)) t += '::';
  const n = parseIp6(t);
  if (n === undefined || (n & 0xffff_ffff_ffff_ffffn) !== 0n) return undefined;
  return n;
}

/** The modified EUI-64 interface id of a MAC (SLAAC): the U/L bit flipped, ff:fe in the middle. */
export function eui64(mac: number): bigint {
  const m = BigInt(mac);
  const high = (m >> 24n) ^ 0x020000n; // first three bytes, universal/local bit flipped
  const low = m & 0xffffffn;
  return (high << 40n) | (0xfffen << 24n) | low;
}

/** The link-local prefix fe80::/64, in the top 64 bits. */
export const LINK_LOCAL_PREFIX = 0xfe80n << 112n;

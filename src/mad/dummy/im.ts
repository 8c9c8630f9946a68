/**
 * The dummy information driver (`one_im_dummy`): `MONITOR <host_id> <hostname> ...` answers a
 * monitoring template, base64-encoded, describing an idle host of configurable capacity
 * (`-c` CPU in OpenNebula units, 100 per core; `-m` memory in MB).
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptedResults } from './scripted-results.js';

export interface DummyCapacity {
  /** TOTALCPU: 100 per core. */
  readonly cpu: number;
  readonly memoryMb: number;
  /** Percent of the CPU reported busy (USEDCPU / FREECPU): a loaded host, for load-aware tests. */
  readonly usedPercent?: number;
  /** Attributes reported besides (or instead of) the dummy's own: `CPUSPEED=3000`, `HYPERVISOR=kvm`. */
  readonly extra?: ReadonlyMap<string, string>;
}

export const DEFAULT_DUMMY_CAPACITY: DummyCapacity = { cpu: 800, memoryMb: 16384 };

/** `-e "CPUSPEED=3000,HYPERVISOR=kvm"` → its attributes. @throws Error on a pair without `=` or a bad name. */
export function parseExtraAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim().toUpperCase() : '';
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`-e: "${pair}" is not ATTRIBUTE=VALUE`);
    out.set(name, pair.slice(eq + 1).trim());
  }
  return out;
}

/** Capacity the dummy reports for the host's local datastore location. */
const DS_LOCATION_MB = 1048576;

/** The monitoring template of an idle dummy host. */
export function dummyHostTemplate(hostname: string, capacity: DummyCapacity): string {
  const memKb = capacity.memoryMb * 1024;
  const used = Math.round((capacity.cpu * (capacity.usedPercent ?? 0)) / 100);
  const attrs = new Map<string, string>([
    ['HYPERVISOR', 'dummy'],
    ['HOSTNAME', hostname],
    ['ARCH', 'x86_64'],
    ['MODELNAME', 'Dummy CPU'],
    ['CPUSPEED', '2200'],
    ['TOTALCPU', String(capacity.cpu)],
    ['USEDCPU', String(used)],
    ['FREECPU', String(capacity.cpu - used)],
    ['TOTALMEMORY', String(memKb)],
    ['USEDMEMORY', '0'],
    ['FREEMEMORY', String(memKb)],
    ['NETRX', '0'],
    ['NETTX', '0'],
    ['DS_LOCATION_USED_MB', '0'],
    ['DS_LOCATION_TOTAL_MB', String(DS_LOCATION_MB)],
    ['DS_LOCATION_FREE_MB', String(DS_LOCATION_MB)],
  ]);
  for (const [k, v] of capacity.extra ?? []) attrs.set(k, v);
  let text = '';
  for (const [k, v] of attrs) text += /^[\w.-]+$/.test(v) ? `${k}=${v}\n` : `${k}="${v.replace(/[\\"]/g, '\\$&')}"\n`;
  return text;
}

export function dummyImActions(capacity: DummyCapacity, results: ScriptedResults): Map<string, ActionHandler> {
  return new Map<string, ActionHandler>([
    [
      'MONITOR',
      results.handler((req) => Buffer.from(dummyHostTemplate(req.args[0] ?? '', capacity)).toString('base64')),
    ],
    ['STOPMONITOR', results.handler(() => '')],
  ]);
}

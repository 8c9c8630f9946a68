/**
 * What an IM probe reports about a host, split the way OpenNebula splits it: measurements that
 * change at every probe (free and used CPU and memory, network traffic, free NUMA memory and
 * huge pages) become a monitoring sample, stored in `host_monitoring` and never in the host's
 * body; the rest describes the host (hypervisor, CPU model and features, total capacity,
 * datastores, NUMA topology, PCI devices) and goes to its template and share, which change
 * only when those do.
 *
 * HUGEPAGE and MEMORY_NODE vectors carry either side, as OpenNebula's probes send them: the
 * system probe's `HUGEPAGE = [NODE_ID, SIZE, PAGES]` and `MEMORY_NODE = [NODE_ID, TOTAL,
 * DISTANCE]` describe the topology, the monitor probe's `HUGEPAGE = [NODE_ID, SIZE, FREE]` and
 * `MEMORY_NODE = [NODE_ID, FREE, USED]` measure it; a vector holding both is split.
 */
import { createHash } from 'node:crypto';
import { Template, type Vector } from '../common/template/index.js';
import type { Write } from '../db/database.js';

/** The table of monitoring samples. */
export const HOST_MONITORING_TABLE = 'host_monitoring';

/** Probe names → `<CAPACITY>` elements, in element order. */
const CAPACITY: readonly (readonly [string, string])[] = [
  ['FREECPU', 'FREE_CPU'],
  ['FREEMEMORY', 'FREE_MEMORY'],
  ['USEDCPU', 'USED_CPU'],
  ['USEDMEMORY', 'USED_MEMORY'],
];
/** Probe names of `<SYSTEM>` elements, in element order. */
const SYSTEM: readonly string[] = ['NETRX', 'NETTX'];
/** Per-VM data in a probe: the Information Manager handles it; it is no part of the host. */
const VM_DATA = new Set(['VM', 'VM_POLL']);

const MEASUREMENTS: ReadonlySet<string> = new Set([...CAPACITY.map(([name]) => name), ...SYSTEM, ...VM_DATA]);

/**
 * The keys of the NUMA vectors that describe the topology (the rest of such a vector is a
 * measurement); a vector without any of them besides NODE_ID and SIZE describes nothing.
 */
const NUMA_DESCRIPTION: ReadonlyMap<string, { readonly keys: readonly string[]; readonly marks: readonly string[] }> = new Map([
  ['HUGEPAGE', { keys: ['NODE_ID', 'SIZE', 'PAGES'], marks: ['PAGES'] }],
  ['MEMORY_NODE', { keys: ['NODE_ID', 'TOTAL', 'DISTANCE'], marks: ['TOTAL', 'DISTANCE'] }],
]);

/** The descriptive part of a HUGEPAGE or MEMORY_NODE vector, or undefined when it only measures. */
function numaDescription(name: string, v: Vector): Vector | undefined {
  const d = NUMA_DESCRIPTION.get(name)!;
  if (!d.marks.some((k) => v.has(k))) return undefined;
  const out: Vector = new Map();
  for (const k of d.keys) if (v.has(k)) out.set(k, v.get(k)!);
  return out;
}

/** A probe value as OpenNebula reads an integer: leading digits, or nothing. */
export function probeInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? undefined : n;
}

/** One monitoring sample of a host: its `<MONITORING>` XML, as `one.host.monitoring` lists it. */
export class HostMonitoring {
  constructor(
    readonly hid: number,
    /** Epoch seconds. */
    readonly timestamp: number,
    readonly xml: string,
  ) {}

  /** The sample's row in `host_monitoring` (a second sample in the same second replaces the first). */
  write(): Write {
    return { kind: 'upsert', table: HOST_MONITORING_TABLE, row: { hid: this.hid, last_mon_time: this.timestamp, body: this.xml } };
  }

  /** The sample of the measurements in `probe`, taken at `timestamp`. */
  static fromProbe(hid: number, probe: Template, timestamp: number): HostMonitoring {
    const element = (name: string, parts: string) => (parts === '' ? `<${name}/>` : `<${name}>${parts}</${name}>`);
    let capacity = '';
    for (const [from, to] of CAPACITY) {
      const v = probeInt(probe.get(from));
      if (v !== undefined) capacity += `<${to}>${v}</${to}>`;
    }
    let system = '';
    for (const name of SYSTEM) {
      const v = probeInt(probe.get(name));
      if (v !== undefined) system += `<${name}>${v}</${name}>`;
    }
    return new HostMonitoring(
      hid,
      timestamp,
      `<MONITORING><TIMESTAMP>${timestamp}</TIMESTAMP><ID>${hid}</ID>${element('CAPACITY', capacity)}${element('SYSTEM', system)}${numaXml(probe)}</MONITORING>`,
    );
  }
}

/** `<NUMA_NODE>` elements, by node id, from the probe's HUGEPAGE and MEMORY_NODE vectors. */
function numaXml(probe: Template): string {
  const nodes = new Map<number, { pages: string; memory: string }>();
  const nodeOf = (v: Vector) => {
    const id = probeInt(v.get('NODE_ID'));
    if (id === undefined) return undefined;
    let node = nodes.get(id);
    if (!node) nodes.set(id, (node = { pages: '', memory: '' }));
    return node;
  };
  const num = (v: Vector, key: string) => probeInt(v.get(key)) ?? 0;
  for (const a of probe.getAll('HUGEPAGE')) {
    if (typeof a.value === 'string' || probeInt(a.value.get('SIZE')) === undefined || !a.value.has('FREE')) continue;
    const node = nodeOf(a.value);
    if (node) node.pages += `<HUGEPAGE><FREE>${num(a.value, 'FREE')}</FREE><SIZE>${num(a.value, 'SIZE')}</SIZE></HUGEPAGE>`;
  }
  for (const a of probe.getAll('MEMORY_NODE')) {
    if (typeof a.value === 'string' || (!a.value.has('FREE') && !a.value.has('USED'))) continue;
    const node = nodeOf(a.value);
    if (node) node.memory = `<MEMORY><FREE>${num(a.value, 'FREE')}</FREE><USED>${num(a.value, 'USED')}</USED></MEMORY>`;
  }
  let xml = '';
  for (const id of [...nodes.keys()].sort((a, b) => a - b)) {
    const n = nodes.get(id)!;
    xml += `<NUMA_NODE>${n.pages}${n.memory}<NODE_ID>${id}</NODE_ID></NUMA_NODE>`;
  }
  return xml;
}

/** A probe, split into the host's description and a monitoring sample. */
export class MonitoringReport {
  private described: Template | undefined;

  private constructor(
    private readonly probe: Template,
    readonly sample: HostMonitoring,
    /**
     * A digest of the description: equal keys mean applying the report again changes nothing.
     * A digest, not the text, as every host keeps its last one (the text of a probe's
     * description is 10 KB or more: CPU models and features, PCI devices, NUMA nodes).
     */
    readonly key: string,
  ) {}

  /** Everything that describes the host: merged into its template (totals and disks into its share). Built when asked. */
  get info(): Template {
    if (this.described) return this.described;
    const info = new Template();
    for (const a of this.probe.attributes()) {
      if (MEASUREMENTS.has(a.name)) continue;
      if (NUMA_DESCRIPTION.has(a.name)) {
        const d = typeof a.value === 'string' ? undefined : numaDescription(a.name, a.value);
        if (d) info.add(a.name, d);
      } else {
        info.add(a.name, a.value);
      }
    }
    return (this.described = info);
  }

  static fromProbe(hid: number, probe: Template, timestamp: number): MonitoringReport {
    return new MonitoringReport(probe, HostMonitoring.fromProbe(hid, probe, timestamp), descriptionDigest(probe));
  }
}

/**
 * The digest of what `info` would hold, taken from the probe directly (most reports describe
 * the host as the one before, and building the template only to compare it costs more than the
 * rest of the report). Each name and value is prefixed with its length, so no two descriptions
 * give the same text.
 */
function descriptionDigest(probe: Template): string {
  let text = '';
  for (const a of probe.attributes()) {
    if (MEASUREMENTS.has(a.name)) continue;
    let value: string | Vector | undefined = a.value;
    if (typeof value !== 'string' && NUMA_DESCRIPTION.has(a.name)) value = numaDescription(a.name, value);
    if (value === undefined) continue;
    text += `${a.name}=`;
    if (typeof value === 'string') text += `${value.length}:${value}`;
    else for (const [k, v] of value) text += `[${k}=${v.length}:${v}`;
    text += ';';
  }
  return createHash('sha1').update(text).digest('base64');
}

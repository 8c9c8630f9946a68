/**
 * From oned's pool listings to the exporter's samples: one pass over `one.hostpool.info`,
 * `one.datastorepool.info` and `one.vmpool.info` (the short VM form), each member parsed on its
 * own so a 100,000-VM listing never becomes one tree. Values follow OpenNebula's exporter:
 * memory in bytes (hosts report KB, VMs and disks MB), CPU in OpenNebula's units (100 per core
 * for hosts, the VM's CPU as written), counts of the listed ids.
 */
import { child, childText, parseXmlTree, type XmlNode } from '../../common/xml-tree.js';
import { GaugeFamily, type FamilySpec } from './exposition.js';
import { DATASTORE_FAMILIES, HOST_FAMILIES, SERVER_FAMILIES, VM_FAMILIES } from './families.js';

const KB = 1024;
const MB = 1024 * 1024;

type Families<T> = { [K in keyof T]: GaugeFamily };

function families<T extends Record<string, FamilySpec>>(specs: T): Families<T> {
  const out = {} as Record<string, GaugeFamily>;
  for (const [k, spec] of Object.entries(specs)) out[k] = new GaugeFamily(spec);
  return out as Families<T>;
}

/** The number at `path` below `node` (NaN when absent or empty: such a sample is left out). */
function num(node: XmlNode | undefined, ...path: string[]): number {
  let n = node;
  for (const p of path.slice(0, -1)) n = n && child(n, p);
  const text = n ? childText(n, path[path.length - 1]!).trim() : '';
  return text === '' ? Number.NaN : Number(text);
}

/** How many `name` children `node` has. */
function count(node: XmlNode | undefined, name: string): number {
  let n = 0;
  if (node) for (const c of node.children) if (c.name === name) n++;
  return n;
}

/** A slice of a pool document that is not a whole element (the slicing was fooled by CDATA text). */
class SliceError extends Error {}

/**
 * Where the `<name>` element opening at `from` ends (just past its `</name>`), counting nested
 * `<name>` elements. @throws SliceError when it does not end.
 */
function elementEnd(xml: string, name: string, from: number, limit = xml.length): number {
  const open = `<${name}>`;
  const close = `</${name}>`;
  let depth = 1;
  let cursor = from + open.length;
  while (depth > 0) {
    const c = xml.indexOf(close, cursor);
    if (c === -1 || c >= limit) throw new SliceError(`<${name}> without its end`);
    const o = xml.indexOf(open, cursor);
    if (o !== -1 && o < c) {
      depth++;
      cursor = o + open.length;
    } else {
      depth--;
      cursor = c + close.length;
    }
  }
  return cursor;
}

/** The text of `[from, to)` without the `<name>` elements of `skip` (and what they hold). */
function withoutElements(xml: string, from: number, to: number, skip: readonly string[]): string {
  if (skip.length === 0) return xml.slice(from, to);
  const cuts: Array<[number, number]> = [];
  for (const name of skip) {
    for (let at = xml.indexOf(`<${name}>`, from); at !== -1 && at < to; ) {
      const end = elementEnd(xml, name, at, to);
      cuts.push([at, end]);
      at = xml.indexOf(`<${name}>`, end);
    }
  }
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = from;
  for (const [a, b] of cuts) {
    if (a < at) continue; // inside a cut already made
    out += xml.slice(at, a);
    at = b;
  }
  return out + xml.slice(at, to);
}

/**
 * The top-level `<name>` elements of a pool document, each parsed alone from its slice of the
 * text, so a listing of 100,000 VMs never becomes one tree; the elements named in `skip` (a
 * host's PCI devices, NUMA nodes and template: most of its text) are left out before parsing.
 * @throws SliceError when a slice does not parse.
 */
function* slicedMembers(xml: string, name: string, skip: readonly string[]): Generator<XmlNode> {
  const open = `<${name}>`;
  for (let from = xml.indexOf(open); from !== -1; ) {
    const end = elementEnd(xml, name, from);
    let node: XmlNode;
    try {
      node = parseXmlTree(withoutElements(xml, from, end, skip));
    } catch (err) {
      throw new SliceError((err as Error).message);
    }
    yield node;
    from = xml.indexOf(open, end);
  }
}

/**
 * `build` over the members named `name` of a pool document: parsed one by one (without the
 * elements of `skip`), or, when the slicing cannot follow the document (a tag inside CDATA
 * text), parsed whole.
 */
export function mapMembers<T>(xml: string, name: string, build: (members: Iterable<XmlNode>) => T, skip: readonly string[] = []): T {
  try {
    return build(slicedMembers(xml, name, skip));
  } catch (err) {
    if (!(err instanceof SliceError)) throw err;
    return build(parseXmlTree(xml).children.filter((n) => n.name === name));
  }
}

/**
 * The families of a pool listing: `sample` adds each member's samples (`id` is its ID label
 * value), and the `total` family counts the members.
 */
function poolFamilies<T extends { total: FamilySpec } & Record<string, FamilySpec>>(
  xml: string,
  element: string,
  specs: T,
  sample: (f: Families<T>, member: XmlNode, id: string[]) => void,
  skip: readonly string[] = [],
): GaugeFamily[] {
  return mapMembers(xml, element, (members) => {
    const f = families(specs);
    let total = 0;
    for (const m of members) {
      total++;
      sample(f, m, [childText(m, 'ID')]);
    }
    f.total.set([], total);
    return Object.values(f);
  }, skip);
}

/** What the host families do not read: nine tenths of a host's text. */
const HOST_UNREAD = ['PCI_DEVICES', 'NUMA_NODES', 'TEMPLATE', 'MONITORING'];

/** The host families of a `one.hostpool.info` answer. */
export function hostFamilies(xml: string): GaugeFamily[] {
  return poolFamilies(xml, 'HOST', HOST_FAMILIES, (f, h, id) => {
    const share = child(h, 'HOST_SHARE');
    f.state.set(id, num(h, 'STATE'));
    f.memTotal.set(id, num(share, 'TOTAL_MEM') * KB);
    f.memMaximum.set(id, num(share, 'MAX_MEM') * KB);
    f.memUsage.set(id, num(share, 'MEM_USAGE') * KB);
    f.cpuTotal.set(id, num(share, 'TOTAL_CPU'));
    f.cpuMaximum.set(id, num(share, 'MAX_CPU'));
    f.cpuUsage.set(id, num(share, 'CPU_USAGE'));
    f.vms.set(id, count(child(h, 'VMS'), 'ID'));
  }, HOST_UNREAD);
}

/** The datastore families of a `one.datastorepool.info` answer. */
export function datastoreFamilies(xml: string): GaugeFamily[] {
  return poolFamilies(xml, 'DATASTORE', DATASTORE_FAMILIES, (f, d, id) => {
    f.totalBytes.set(id, num(d, 'TOTAL_MB') * MB);
    f.usedBytes.set(id, num(d, 'USED_MB') * MB);
    f.freeBytes.set(id, num(d, 'FREE_MB') * MB);
    f.images.set(id, count(child(d, 'IMAGES'), 'ID'));
  });
}

/** The VM families of a `one.vmpool.info` answer (short or extended form). */
export function vmFamilies(xml: string): GaugeFamily[] {
  return poolFamilies(xml, 'VM', VM_FAMILIES, (f, vm, id) => {
    const records = child(vm, 'HISTORY_RECORDS')?.children.filter((c) => c.name === 'HISTORY') ?? [];
    const hid = records.length > 0 ? num(records[records.length - 1], 'HID') : Number.NaN;
    f.hostId.set(id, Number.isNaN(hid) ? -1 : hid);
    f.state.set(id, num(vm, 'STATE'));
    f.lcmState.set(id, num(vm, 'LCM_STATE'));
    const t = child(vm, 'TEMPLATE');
    f.memTotal.set(id, num(t, 'MEMORY') * MB);
    f.cpu.set(id, num(t, 'CPU'));
    const vcpu = num(t, 'VCPU');
    f.vcpus.set(id, Number.isNaN(vcpu) ? 1 : vcpu);
    let disks = 0;
    let nics = 0;
    for (const c of t?.children ?? []) {
      if (c.name === 'DISK') {
        disks++;
        f.diskSize.set([id[0]!, childText(c, 'DISK_ID')], num(c, 'SIZE') * MB);
      } else if (c.name === 'NIC' || (c.name === 'PCI' && childText(c, 'NIC_ID') !== '')) nics++;
    }
    f.disks.set(id, disks);
    f.nics.set(id, nics);
  });
}

/** Whether each service of the front-end is up (see services.ts). */
export interface ServiceStates {
  readonly oned: boolean;
  readonly scheduler: boolean;
  readonly flow: boolean;
}

/** The service state families; the hook manager runs inside oned, so it is up when oned is. */
export function serverFamilies(fqdn: string, s: ServiceStates): GaugeFamily[] {
  const f = families(SERVER_FAMILIES);
  const v = (up: boolean) => (up ? 1 : 0);
  f.oned.set([fqdn], v(s.oned));
  f.scheduler.set([fqdn], v(s.scheduler));
  f.flow.set([fqdn], v(s.flow));
  f.hem.set([fqdn], v(s.oned));
  return Object.values(f);
}

/**
 * Quota limits and usage of a user or group (and the defaults), as the `*_QUOTA` XML blocks.
 * Limits are set with `one.user.quota` / `one.group.quota` from a template such as
 * `VM = [ VMS = 10, CPU = 4, MEMORY = 2048 ]` or `DATASTORE = [ ID = 1, SIZE = 1024 ]`.
 * Objects that consume quota (VMs, images, leases) charge their owner's and group's quotas
 * with `charge` (see quota-charge.ts), which checks every limit before changing any usage.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childText } from '../common/xml-tree.js';
import type { Template } from '../common/template/index.js';
import { xmlEscapeText } from '../common/xml.js';

/** Quota kinds: template attribute name, XML block, keyed by ID or not, and the metrics. */
const KINDS = {
  DATASTORE: { block: 'DATASTORE_QUOTA', keyed: true, metrics: ['IMAGES', 'SIZE'] },
  NETWORK: { block: 'NETWORK_QUOTA', keyed: true, metrics: ['LEASES'] },
  // In name order, as OpenNebula 7.4 lists them (PCI_DEV and PCI_NIC are new in 7.4).
  VM: {
    block: 'VM_QUOTA',
    keyed: false,
    metrics: ['CPU', 'MEMORY', 'PCI_DEV', 'PCI_NIC', 'RUNNING_CPU', 'RUNNING_MEMORY', 'RUNNING_PCI_DEV', 'RUNNING_PCI_NIC', 'RUNNING_VMS', 'SYSTEM_DISK_SIZE', 'VMS'],
  },
  IMAGE: { block: 'IMAGE_QUOTA', keyed: true, metrics: ['RVMS'] },
} as const;
export type QuotaKind = keyof typeof KINDS;
type Kind = QuotaKind;

/**
 * A change of usage of one entry: `VM` (no id), `DATASTORE`/`NETWORK`/`IMAGE` with the object's
 * id; amounts by metric, negative to give back.
 */
export interface QuotaUsage {
  readonly kind: QuotaKind;
  readonly id?: number;
  readonly amounts: Readonly<Partial<Record<string, number>>>;
}

/** "-1" use the default quota, "-2" unlimited; other values are limits. */
const DEFAULT_LIMIT = '-1';

/** One entry: limit and usage per metric. */
interface Entry {
  readonly id: string | null;
  readonly limits: Map<string, string>;
  readonly used: Map<string, string>;
}

export class QuotaError extends Error {}

export class Quotas {
  /** Rendered blocks, plain and escaped, until the next change: pool listings show every user's. */
  private xml: string | null = null;
  private escaped: string | null = null;
  private readonly entries: Record<Kind, Map<string, Entry>> = { DATASTORE: new Map(), NETWORK: new Map(), VM: new Map(), IMAGE: new Map() };

  /**
   * Applies a quota template: each vector sets the given limits of one entry (others kept).
   * Throws QuotaError naming the bad attribute.
   */
  set(tmpl: Template): void {
    const staged: Array<[Kind, string, Map<string, string>]> = [];
    for (const attr of tmpl.attributes()) {
      const kind = attr.name as Kind;
      const spec = KINDS[kind];
      if (!spec) continue;
      if (typeof attr.value === 'string') throw new QuotaError(`${attr.name} quota must be a vector attribute`);
      const id = spec.keyed ? attr.value.get('ID') : '';
      if (spec.keyed && (id === undefined || !/^-?\d+$/.test(id))) throw new QuotaError(`${attr.name} quota needs a numeric ID`);
      const limits = new Map<string, string>();
      for (const m of spec.metrics) {
        const v = attr.value.get(m);
        if (v === undefined) continue;
        const n = Number(v);
        if (v.trim() === '' || Number.isNaN(n) || (n < 0 && n !== -1 && n !== -2)) {
          throw new QuotaError(`Invalid ${attr.name}/${m} quota value "${v}": use a non-negative number, -1 (default) or -2 (unlimited)`);
        }
        limits.set(m, v);
      }
      staged.push([kind, id ?? '', limits]);
    }
    this.xml = this.escaped = null;
    for (const [kind, key, limits] of staged) {
      const map = this.entries[kind];
      let e = map.get(key);
      if (!e) map.set(key, (e = { id: KINDS[kind].keyed ? key : null, limits: new Map(), used: new Map() }));
      for (const [m, v] of limits) e.limits.set(m, v);
    }
  }

  /**
   * Why adding `usage` would pass a limit (null when it fits). A limit of -1 defers to
   * `defaults` (where -1 and -2 both mean unlimited), -2 is unlimited; only increases are checked.
   */
  exceeded(usage: QuotaUsage, defaults: Quotas | null): string | null {
    const key = usage.id === undefined ? '' : String(usage.id);
    const e = this.entries[usage.kind].get(key);
    for (const [metric, amount] of Object.entries(usage.amounts)) {
      if (!amount || amount <= 0) continue;
      let limit = Number(e?.limits.get(metric) ?? DEFAULT_LIMIT);
      if (limit === -1) limit = defaults ? Number(defaults.entries[usage.kind].get(key)?.limits.get(metric) ?? DEFAULT_LIMIT) : -2;
      if (limit < 0) continue;
      const used = Number(e?.used.get(metric) ?? '0');
      if (used + amount > limit) {
        const what = usage.id === undefined ? `${usage.kind} ${metric}` : `${usage.kind} [${usage.id}] ${metric}`;
        return `limit of ${limit} reached for ${what} quota, requested: ${amount}, used: ${used}`;
      }
    }
    return null;
  }

  /** Adds `usage` (negative amounts give back; usage never goes below 0). */
  add(usage: QuotaUsage): void {
    const key = usage.id === undefined ? '' : String(usage.id);
    const map = this.entries[usage.kind];
    let e = map.get(key);
    if (!e) map.set(key, (e = { id: KINDS[usage.kind].keyed ? key : null, limits: new Map(), used: new Map() }));
    for (const [metric, amount] of Object.entries(usage.amounts)) {
      if (!amount) continue;
      const used = Math.max(0, Number(e.used.get(metric) ?? '0') + amount);
      e.used.set(metric, String(used));
    }
    this.xml = this.escaped = null;
  }

  /** The usage of one metric. */
  used(kind: QuotaKind, metric: string, id?: number): number {
    return Number(this.entries[kind].get(id === undefined ? '' : String(id))?.used.get(metric) ?? '0');
  }

  /** Every usage counter, as `kind:id:metric` → value (for checks against the objects). */
  usages(): Map<string, number> {
    const out = new Map<string, number>();
    for (const kind of Object.keys(KINDS) as Kind[]) {
      for (const [key, e] of this.entries[kind]) for (const [m, v] of e.used) if (Number(v) !== 0) out.set(`${kind}:${key}:${m}`, Number(v));
    }
    return out;
  }

  /** Adds every usage counter of `other` to this one's. */
  addAll(other: Quotas): void {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      for (const [key, e] of other.entries[kind]) {
        const amounts: Record<string, number> = {};
        for (const [m, v] of e.used) amounts[m] = Number(v);
        this.add({ kind, id: key === '' ? undefined : Number(key), amounts });
      }
    }
  }

  /** Sets every usage counter to 0 (before recomputing them from the objects). */
  clearUsage(): void {
    for (const kind of Object.keys(KINDS) as Kind[]) for (const e of this.entries[kind].values()) e.used.clear();
    this.xml = this.escaped = null;
  }

  /** The four `*_QUOTA` blocks. */
  toXml(): string {
    return (this.xml ??= this.render());
  }

  /** toXml() escaped as XML text (for XML-RPC string values). */
  toEscapedXml(): string {
    return (this.escaped ??= xmlEscapeText(this.toXml()));
  }

  private render(): string {
    let xml = '';
    for (const kind of Object.keys(KINDS) as Kind[]) {
      const spec = KINDS[kind];
      let body = '';
      for (const e of this.entries[kind].values()) {
        body += `<${kind}>`;
        if (e.id !== null) body += `<ID>${e.id}</ID>`;
        for (const m of spec.metrics) {
          body += `<${m}>${e.limits.get(m) ?? DEFAULT_LIMIT}</${m}><${m}_USED>${e.used.get(m) ?? '0'}</${m}_USED>`;
        }
        body += `</${kind}>`;
      }
      xml += `<${spec.block}>${body}</${spec.block}>`;
    }
    return xml;
  }

  /** Reads the blocks from an element holding them (USER, GROUP, DEFAULT_*_QUOTAS). */
  static fromXml(parent: XmlNode | undefined): Quotas {
    const q = new Quotas();
    if (!parent) return q;
    for (const kind of Object.keys(KINDS) as Kind[]) {
      const spec = KINDS[kind];
      const block = child(parent, spec.block);
      for (const node of block?.children ?? []) {
        const id = spec.keyed ? childText(node, 'ID') : '';
        const e: Entry = { id: spec.keyed ? id : null, limits: new Map(), used: new Map() };
        for (const m of spec.metrics) {
          if (child(node, m)) e.limits.set(m, childText(node, m));
          if (child(node, `${m}_USED`)) e.used.set(m, childText(node, `${m}_USED`));
        }
        q.entries[kind].set(id, e);
      }
    }
    return q;
  }
}

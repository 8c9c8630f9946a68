/**
 * Objects as oned returns them, parsed: every object has its id, name, owner and group; typed
 * getters read the fields each kind is known by, `get` reads any path (`TEMPLATE/NIC/IP`), and
 * `xml` keeps the document as oned sent it.
 */
import { parseXmlTree, select, type XmlNode } from '../common/xml-tree.js';
import { PoolEntry, scanPool } from './pool-scan.js';


/**
 * The first element at `names[i..]` below `node`, in document order (what `select(...)[0]` is,
 * without building the lists: tables read several fields of thousands of objects).
 */
function first(node: XmlNode, names: readonly string[], i: number): XmlNode | undefined {
  for (const c of node.children) {
    if (c.name !== names[i]) continue;
    const found = i === names.length - 1 ? c : first(c, names, i + 1);
    if (found) return found;
  }
  return undefined;
}

export class OneObject {
  #node: XmlNode | undefined;
  readonly #entry: PoolEntry | undefined;

  constructor(
    /** The element, or a member of a scanned pool listing (its tree is then built when first asked for). */
    node: XmlNode | PoolEntry,
    /** Its XML as oned sent it (for a pool member: the whole pool's document). */
    readonly xml: string,
  ) {
    if (node instanceof PoolEntry) this.#entry = node;
    else this.#node = node;
  }

  /** The element (`<VM>`, `<HOST>`...). */
  get node(): XmlNode {
    return (this.#node ??= parseXmlTree(this.#entry!.xml));
  }

  /** Text at `path` below the element ('' when absent). */
  get(path: string): string {
    if (this.#node === undefined) {
      const t = this.#entry!.text(path);
      if (t !== undefined) return t.trim();
    }
    return first(this.node, path.includes('/') ? path.split('/') : [path], 0)?.text.trim() ?? '';
  }

  /**
   * The untrimmed text of the first element at `path` when no other element is at `path`
   * (what `all(path)[0].text` is then), without building the tree; undefined otherwise.
   */
  protected soleText(path: string): string | undefined {
    const e = this.#node === undefined ? this.#entry : undefined;
    return e === undefined || e.isRepeated(path) ? undefined : e.text(path);
  }

  /** Every element at `path` (repeated attributes such as `TEMPLATE/DISK`). */
  all(path: string): XmlNode[] {
    return select(this.node, path);
  }

  /** Number at `path` (NaN when absent). */
  int(path: string): number {
    const t = this.get(path);
    return t === '' ? Number.NaN : Number(t);
  }

  /** IDs listed under `path` (`<VMS><ID>3</ID>...`). */
  ids(path: string): number[] {
    return select(this.node, `${path}/ID`).map((n) => Number(n.text));
  }

  get id(): number {
    return this.int('ID');
  }
  get name(): string {
    return this.get('NAME');
  }
  get uid(): number {
    return this.int('UID');
  }
  get gid(): number {
    return this.int('GID');
  }
  get uname(): string {
    return this.get('UNAME');
  }
  get gname(): string {
    return this.get('GNAME');
  }
  /** Permission bits as octal digits (`um- u-- ---` is 640). */
  get permissions(): string {
    const bit = (who: string, what: string) => (this.get(`PERMISSIONS/${who}_${what}`) === '1' ? 1 : 0);
    return ['OWNER', 'GROUP', 'OTHER'].map((w) => String(bit(w, 'U') * 4 + bit(w, 'M') * 2 + bit(w, 'A'))).join('');
  }
}

export class VirtualMachine extends OneObject {
  get state(): number {
    return this.int('STATE');
  }
  get lcmState(): number {
    return this.int('LCM_STATE');
  }
  /** The host of the last history record ('' before the first deploy). */
  get hostname(): string {
    // A listing has at most the last history record: its HOSTNAME is read without the tree.
    if (this.soleText('HISTORY_RECORDS/HISTORY') !== undefined) {
      const t = this.soleText('HISTORY_RECORDS/HISTORY/HOSTNAME');
      if (t !== undefined) return t;
    }
    const h = this.all('HISTORY_RECORDS/HISTORY');
    return h.length ? (h[h.length - 1]!.children.find((c) => c.name === 'HOSTNAME')?.text ?? '') : '';
  }
}

export class Host extends OneObject {
  get state(): number {
    return this.int('STATE');
  }
  get imMad(): string {
    return this.get('IM_MAD');
  }
  get vmMad(): string {
    return this.get('VM_MAD');
  }
  get clusterId(): number {
    return this.int('CLUSTER_ID');
  }
}

export class Image extends OneObject {
  get state(): number {
    return this.int('STATE');
  }
  get type(): number {
    return this.int('TYPE');
  }
  get sizeMb(): number {
    return this.int('SIZE');
  }
  get datastoreId(): number {
    return this.int('DATASTORE_ID');
  }
}

export class VirtualNetwork extends OneObject {
  get usedLeases(): number {
    return this.int('USED_LEASES');
  }
  get bridge(): string {
    return this.get('BRIDGE');
  }
}

export class Datastore extends OneObject {
  get freeMb(): number {
    return this.int('FREE_MB');
  }
  get totalMb(): number {
    return this.int('TOTAL_MB');
  }
}

/** A kind of object: how to build one from its element (or a member of a scanned listing). */
export type ObjectClass<T extends OneObject> = new (node: XmlNode | PoolEntry, xml: string) => T;

/** The object of a `one.<kind>.info` answer. */
export function parseObject<T extends OneObject>(cls: ObjectClass<T>, xml: string): T {
  return new cls(parseXmlTree(xml), xml);
}

/**
 * The members of a `one.<kind>pool.info` answer (its root's children named `element`), read in
 * one pass without the document's tree (pool-scan.ts); a document the scanner does not take
 * is parsed into its tree (and refused with the parser's message when malformed).
 */
export function parsePool<T extends OneObject>(cls: ObjectClass<T>, element: string, xml: string): T[] {
  const entries = scanPool(xml, element);
  if (entries === undefined) return parsePoolTree(cls, element, xml);
  const out = new Array<T>(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = new cls(entries[i]!, xml);
  return out;
}

/** The same members read from the document's tree (the reference the scanner is tested against). */
export function parsePoolTree<T extends OneObject>(cls: ObjectClass<T>, element: string, xml: string): T[] {
  return parseXmlTree(xml).children.filter((c) => c.name === element).map((n) => new cls(n, xml));
}

/**
 * Objects as oned returns them, parsed: every object has its id, name, owner and group; typed
 * getters read the fields each kind is known by, `get` reads any path (`TEMPLATE/NIC/IP`), and
 * `xml` keeps the document as oned sent it.
 */
import { parseXmlTree, type XmlNode } from '../common/xml-tree.js';

/** Elements at `path` (`TEMPLATE/NIC`) below `node`. */
function select(node: XmlNode, path: string): XmlNode[] {
  let level = [node];
  for (const name of path.split('/')) level = level.flatMap((n) => n.children.filter((c) => c.name === name));
  return level;
}

/** The first element at `path` below `node`, without building the lists `select` does (listings read thousands). */
function first(node: XmlNode, path: string): XmlNode | undefined {
  let at: XmlNode | undefined = node;
  let from = 0;
  while (at && from <= path.length) {
    const slash = path.indexOf('/', from);
    const name = slash < 0 ? path.slice(from) : path.slice(from, slash);
    const level: XmlNode = at;
    at = undefined;
    for (const c of level.children) {
      if (c.name === name) {
        at = c;
        break;
      }
    }
    if (slash < 0) return at;
    from = slash + 1;
  }
  return at;
}

export class OneObject {
  constructor(
    /** The element (`<VM>`, `<HOST>`...). */
    readonly node: XmlNode,
    /** Its XML as oned sent it (for a pool member: the whole pool's document). */
    readonly xml: string,
  ) {}

  /** Text at `path` below the element ('' when absent). */
  get(path: string): string {
    // The first branch almost always holds it; when not, a later one may (`TEMPLATE/NIC/IP` of a second NIC).
    const n = first(this.node, path) ?? (path.includes('/') ? select(this.node, path)[0] : undefined);
    return n?.text.trim() ?? '';
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

/** A kind of object: how to build one from its element. */
export type ObjectClass<T extends OneObject> = new (node: XmlNode, xml: string) => T;

/** The object of a `one.<kind>.info` answer. */
export function parseObject<T extends OneObject>(cls: ObjectClass<T>, xml: string): T {
  return new cls(parseXmlTree(xml), xml);
}

/** The members of a `one.<kind>pool.info` answer (its root's children named `element`). */
export function parsePool<T extends OneObject>(cls: ObjectClass<T>, element: string, xml: string): T[] {
  return parseXmlTree(xml).children.filter((c) => c.name === element).map((n) => new cls(n, xml));
}

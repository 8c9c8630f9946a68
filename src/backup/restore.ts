/**
 * `one.image.restore` (OpenNebula 7.4) without the API calls: the options it takes (NAME, NO_IP,
 * NO_NIC, INCREMENT_ID, DISK_ID), the RESTORE request for the backup datastore's driver, its
 * answer (`<vm xml base64 | -> <disk_id>:<source>:<size_mb>:<format>...`: the disks it put
 * into the destination image datastore) and the VM template made from the backed-up VM, its
 * disks pointing at the restored images.
 */
import { Template, type Vector } from '../common/template/index.js';
import { child, parseXmlTree, type XmlNode } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';

export interface RestoreOptions {
  /** Base name of what is made ('' → `<vm id>-<backup image id>`). */
  readonly name: string;
  readonly noIp: boolean;
  readonly noNic: boolean;
  /** The increment of an incremental chain to restore (-1: the last). */
  readonly incrementId: number;
  /** Only this disk, as an image, and no VM template (-1: all). */
  readonly diskId: number;
}

export interface RestoredDisk {
  readonly diskId: number;
  readonly source: string;
  readonly sizeMb: number;
  readonly format: string;
}

/** The options template of one.image.restore; a plain Error names a bad value. */
export function restoreOptions(text: string): RestoreOptions {
  const t = text.trim() === '' ? new Template() : Template.parse(text);
  const yes = (k: string) => {
    const v = (t.get(k) ?? '').trim().toUpperCase();
    if (v !== '' && v !== 'YES' && v !== 'NO') throw new Error(`${k} must be YES or NO, got "${t.get(k)}".`);
    return v === 'YES';
  };
  const int = (k: string) => {
    const v = (t.get(k) ?? '').trim();
    if (v === '') return -1;
    if (!/^\d+$/.test(v)) throw new Error(`${k} must be a non-negative integer, got "${v}".`);
    return Number(v);
  };
  return { name: (t.get('NAME') ?? '').trim(), noIp: yes('NO_IP'), noNic: yes('NO_NIC'), incrementId: int('INCREMENT_ID'), diskId: int('DISK_ID') };
}

/** The `<RESTORE>` element of the request: what to bring back, and where to. */
export function restoreRequestXml(o: { incrementId: number; diskId: number; destinationDsId: number; destinationBasePath: string }): string {
  return (
    `<RESTORE><INCREMENT_ID>${o.incrementId}</INCREMENT_ID><DISK_ID>${o.diskId}</DISK_ID>` +
    `<DESTINATION_DS_ID>${o.destinationDsId}</DESTINATION_DS_ID>${xmlElement('DESTINATION_BASE_PATH', o.destinationBasePath)}</RESTORE>`
  );
}

/** Parses the driver's answer; a plain Error when it is not one. */
export function parseRestoreReply(info: string): { vmXml: string; disks: RestoredDisk[] } {
  const [vm = '', ...words] = info.trim().split(/\s+/);
  if (vm === '') throw new Error('the datastore driver answered RESTORE with nothing');
  const disks = words.map((w) => {
    const m = /^(\d+):([^:]+):(\d+):([A-Za-z0-9_.-]*)$/.exec(w);
    if (!m) throw new Error(`the datastore driver answered RESTORE with a bad disk "${w}"`);
    return { diskId: Number(m[1]), source: m[2]!, sizeMb: Number(m[3]), format: m[4] || 'raw' };
  });
  if (disks.length === 0) throw new Error('the datastore driver restored no disks');
  return { vmXml: vm === '-' ? '' : Buffer.from(vm, 'base64').toString('utf8'), disks };
}

/** VM attributes a restored template keeps (the VM's own, or the ones of its devices). */
const KEEP = ['CPU', 'VCPU', 'MEMORY', 'OS', 'FEATURES', 'GRAPHICS', 'INPUT', 'CONTEXT', 'RAW', 'CPU_MODEL', 'HYPERVISOR', 'DESCRIPTION', 'LOGO', 'MEMORY_UNIT_COST', 'VIDEO'];
/** NIC attributes oned fills in at instantiation: the restored template leaves them out. */
const NIC_DROP = ['AR_ID', 'BRIDGE', 'BRIDGE_TYPE', 'CLUSTER_ID', 'NAME', 'NETWORK_ID', 'NIC_ID', 'TARGET', 'VLAN_ID', 'VN_MAD', 'VLAN_TAGGED_ID', 'PHYDEV', 'SECURITY_GROUPS'];
const NIC_IP = ['IP', 'IP6', 'IP6_ULA', 'IP6_GLOBAL', 'MAC'];

function dropKeys(v: Vector, keys: readonly string[]): Vector {
  const out: Vector = new Map();
  for (const [k, val] of v) if (!keys.includes(k)) out.set(k, val);
  return out;
}

/** The backed-up VM's TEMPLATE, from its XML ('' → none). */
export function backedUpTemplate(vmXml: string): Template | undefined {
  if (vmXml.trim() === '') return undefined;
  const root = parseXmlTree(vmXml);
  const node: XmlNode | undefined = root.name === 'VM' ? child(root, 'TEMPLATE') : undefined;
  if (!node) return undefined;
  return Template.fromXml(`<TEMPLATE>${node.children.map(renderNode).join('')}</TEMPLATE>`);
}

function renderNode(n: XmlNode): string {
  if (n.children.length === 0) return xmlElement(n.name, n.text);
  return `<${n.name}>${n.children.map(renderNode).join('')}</${n.name}>`;
}

/** The VM template of a restore: the backed-up VM's settings, its disks as the restored images. */
export function restoredVmTemplate(source: Template | undefined, images: ReadonlyMap<number, number>, o: RestoreOptions): Template {
  const t = new Template();
  for (const key of KEEP) {
    for (const a of source?.getAll(key) ?? []) {
      let value = a.value;
      if (typeof value !== 'string' && key === 'GRAPHICS') value = dropKeys(value, ['PORT']);
      if (typeof value !== 'string' && key === 'CONTEXT') value = new Map([...value].filter(([k]) => k !== 'DISK_ID' && !/^ETH\d*_/.test(k)));
      t.add(key, value);
    }
  }
  if (!o.noNic) {
    for (const a of source?.getAll('NIC') ?? []) {
      if (typeof a.value === 'string') continue;
      t.add('NIC', dropKeys(a.value, o.noIp ? [...NIC_DROP, ...NIC_IP] : NIC_DROP));
    }
  }
  const disks = source ? source.getAll('DISK').filter((a) => typeof a.value !== 'string').map((a) => a.value as Vector) : [];
  for (const [diskId, imageId] of [...images].sort((a, b) => a[0] - b[0])) {
    const d = disks.find((x) => x.get('DISK_ID') === String(diskId));
    const v: Vector = new Map([['IMAGE_ID', String(imageId)]]);
    const prefix = d?.get('DEV_PREFIX');
    if (prefix) v.set('DEV_PREFIX', prefix);
    t.add('DISK', v);
  }
  return t;
}

/**
 * What both OCCI interfaces of occi-server do in oned, through OCA, as the requesting user:
 * read computes, networks and storage as plain records, and create, change and delete them.
 * The XML API (xml-api/) and OGF OCCI 1.2 (ogf/) only parse requests into these specs and
 * render these records. Anything made of several calls is undone when a later call fails, so a
 * refused request leaves nothing behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { childText, type XmlNode } from '../../common/xml-tree.js';
import { templateToText } from '../../common/template/serialize.js';
import type { Attribute } from '../../common/template/index.js';
import { LCM_STATES, VM_STATES, IMAGE_TYPES } from '../../oca/states.js';
import { PoolFilter, type Image, type Oca, type OneObject, type VirtualMachine, type VirtualNetwork } from '../../oca/index.js';
import { badRequest, OcciError } from './errors.js';
import type { InstanceType, OcciConfig } from './config.js';

export const IMAGE_STATES = ['INIT', 'READY', 'USED', 'DISABLED', 'LOCKED', 'ERROR', 'CLONE', 'DELETE', 'USED_PERS', 'LOCKED_USED', 'LOCKED_USED_PERS'] as const;
const IMAGE_LOCKED = 4;

export interface DiskRecord {
  readonly id: number;
  readonly imageId?: number;
  readonly image: string;
  readonly type: string;
  readonly target: string;
}
export interface NicRecord {
  readonly id: number;
  readonly networkId?: number;
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
}
export interface ComputeRecord {
  readonly id: number;
  readonly name: string;
  readonly uid: number;
  readonly uname: string;
  readonly gname: string;
  readonly cpu: number;
  readonly vcpu: number;
  /** MB. */
  readonly memory: number;
  readonly state: string;
  readonly lcmState: string;
  readonly instanceType: string;
  readonly templateId?: number;
  readonly disks: DiskRecord[];
  readonly nics: NicRecord[];
  readonly context: [string, string][];
}
export interface NetworkRecord {
  readonly id: number;
  readonly name: string;
  readonly uid: number;
  readonly uname: string;
  readonly gname: string;
  readonly description: string;
  readonly address: string;
  readonly size: number;
  readonly usedLeases: number;
  readonly public: boolean;
  readonly vlanId: string;
  readonly bridge: string;
  readonly gateway: string;
}
export interface StorageRecord {
  readonly id: number;
  readonly name: string;
  readonly uid: number;
  readonly uname: string;
  readonly gname: string;
  readonly state: string;
  readonly type: string;
  readonly description: string;
  /** MB. */
  readonly size: number;
  readonly fstype: string;
  readonly public: boolean;
  readonly persistent: boolean;
}

const num = (n: XmlNode, name: string): number | undefined => {
  const t = childText(n, name).trim();
  return t === '' || !/^-?\d+$/.test(t) ? undefined : Number(t);
};

/** Shared with others (the group or other USE bit). */
function isPublic(o: OneObject): boolean {
  return o.get('PERMISSIONS/GROUP_U') === '1' || o.get('PERMISSIONS/OTHER_U') === '1';
}

export function computeRecord(vm: VirtualMachine): ComputeRecord {
  const t = (name: string) => vm.get(`TEMPLATE/${name}`) || vm.get(`USER_TEMPLATE/${name}`);
  const cpu = Number(t('CPU')) || 0;
  const context = vm.all('TEMPLATE/CONTEXT')[0];
  return {
    id: vm.id,
    name: vm.name,
    uid: vm.uid,
    uname: vm.uname,
    gname: vm.gname,
    cpu,
    vcpu: Number(t('VCPU')) || Math.ceil(cpu) || 1,
    memory: Number(t('MEMORY')) || 0,
    state: VM_STATES[vm.state] ?? String(vm.state),
    lcmState: vm.state === 3 ? (LCM_STATES[vm.lcmState] ?? String(vm.lcmState)) : '',
    instanceType: t('INSTANCE_TYPE'),
    templateId: Number.isNaN(vm.int('TEMPLATE/TEMPLATE_ID')) ? undefined : vm.int('TEMPLATE/TEMPLATE_ID'),
    disks: vm.all('TEMPLATE/DISK').map((d) => ({
      id: num(d, 'DISK_ID') ?? 0,
      imageId: num(d, 'IMAGE_ID'),
      image: childText(d, 'IMAGE'),
      type: childText(d, 'TYPE') || 'DISK',
      target: childText(d, 'TARGET'),
    })),
    nics: vm.all('TEMPLATE/NIC').map((n) => ({
      id: num(n, 'NIC_ID') ?? 0,
      networkId: num(n, 'NETWORK_ID'),
      network: childText(n, 'NETWORK'),
      ip: childText(n, 'IP'),
      mac: childText(n, 'MAC'),
    })),
    context: context ? context.children.map((c) => [c.name, c.text] as [string, string]) : [],
  };
}

export function networkRecord(vn: VirtualNetwork): NetworkRecord {
  const ars = vn.all('AR_POOL/AR');
  const first = ars[0];
  return {
    id: vn.id,
    name: vn.name,
    uid: vn.uid,
    uname: vn.uname,
    gname: vn.gname,
    description: vn.get('TEMPLATE/DESCRIPTION'),
    address: first ? childText(first, 'IP') : '',
    size: ars.reduce((s, a) => s + (num(a, 'SIZE') ?? 0), 0),
    usedLeases: vn.usedLeases || 0,
    public: isPublic(vn),
    vlanId: vn.get('VLAN_ID'),
    bridge: vn.bridge,
    gateway: vn.get('TEMPLATE/GATEWAY'),
  };
}

export function storageRecord(img: Image): StorageRecord {
  return {
    id: img.id,
    name: img.name,
    uid: img.uid,
    uname: img.uname,
    gname: img.gname,
    state: IMAGE_STATES[img.state] ?? String(img.state),
    type: IMAGE_TYPES[img.type] ?? String(img.type),
    description: img.get('TEMPLATE/DESCRIPTION'),
    size: img.sizeMb || 0,
    fstype: img.get('FS') || img.get('FSTYPE') || img.get('TEMPLATE/FSTYPE'),
    public: isPublic(img),
    persistent: img.get('PERSISTENT') === '1',
  };
}

// ---------------------------------------------------------------- reading

/** The user's own VMs (not DONE), whole bodies. */
export async function listComputes(one: Oca): Promise<ComputeRecord[]> {
  return (await one.vms.listExtended(PoolFilter.MINE, -1, -1, -1)).map(computeRecord);
}

export async function getCompute(one: Oca, id: number): Promise<ComputeRecord> {
  const vm = await one.vms.info(id);
  if (vm.state === 6) throw new OcciError(404, `Compute ${id} is done (deleted)`);
  return computeRecord(vm);
}

/** The networks the user may see. */
export async function listNetworks(one: Oca): Promise<NetworkRecord[]> {
  return one.vnets.parseList(await one.vnets.listXml(PoolFilter.ALL, -1, -1)).map(networkRecord);
}

export async function getNetwork(one: Oca, id: number): Promise<NetworkRecord> {
  return networkRecord(await one.vnets.info(id));
}

/** The images the user may see (not backups). */
export async function listStorage(one: Oca): Promise<StorageRecord[]> {
  return one.images.parseList(await one.images.listXml(PoolFilter.ALL, -1, -1)).map(storageRecord).filter((s) => s.type !== 'BACKUP');
}

export async function getStorage(one: Oca, id: number): Promise<StorageRecord> {
  return storageRecord(await one.images.info(id));
}

/** The VM templates the user may instantiate: the OS templates of OCCI. */
export async function listOsTemplates(one: Oca): Promise<{ id: number; name: string; description: string }[]> {
  const xml = await one.templates.listXml(PoolFilter.ALL, -1, -1);
  return one.templates.parseList(xml).map((t) => ({ id: t.id, name: t.name, description: t.get('TEMPLATE/DESCRIPTION') }));
}

// ---------------------------------------------------------------- computes

export interface ComputeSpec {
  name?: string;
  description?: string;
  instanceType?: InstanceType;
  /** Instantiate this VM template (an OGF os_tpl mixin) instead of allocating a VM. */
  templateId?: number;
  cpu?: number;
  vcpu?: number;
  /** MB. */
  memory?: number;
  disks: { imageId: number; target?: string }[];
  nics: { networkId: number; ip?: string }[];
  context: [string, string][];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A template value the text syntax can carry. */
function value(v: string, what: string): string {
  if (v.endsWith('\\') || /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(v)) throw badRequest(`${what} holds characters a template value cannot: ${JSON.stringify(v)}`);
  return v;
}

/** The VM template (or the extra template of an instantiation) a spec asks for. */
export function computeTemplate(spec: ComputeSpec): string {
  const attrs: Attribute[] = [];
  const add = (name: string, v: string | number) => attrs.push({ name, value: value(String(v), name) });
  if (spec.name !== undefined && spec.templateId === undefined) add('NAME', spec.name);
  if (spec.description) add('DESCRIPTION', spec.description);
  const type = spec.instanceType;
  const cpu = spec.cpu ?? type?.cpu;
  const vcpu = spec.vcpu ?? type?.vcpu;
  const memory = spec.memory ?? type?.memory;
  if (cpu !== undefined) add('CPU', cpu);
  if (vcpu !== undefined) add('VCPU', vcpu);
  if (memory !== undefined) add('MEMORY', memory);
  if (type) add('INSTANCE_TYPE', type.name);
  for (const d of spec.disks) {
    const v = new Map([['IMAGE_ID', String(d.imageId)]]);
    if (d.target) v.set('TARGET', value(d.target, 'DISK TARGET'));
    attrs.push({ name: 'DISK', value: v });
  }
  for (const n of spec.nics) {
    const v = new Map([['NETWORK_ID', String(n.networkId)]]);
    if (n.ip) v.set('IP', value(n.ip, 'NIC IP'));
    attrs.push({ name: 'NIC', value: v });
  }
  if (spec.context.length) {
    const v = new Map<string, string>();
    for (const [k, x] of spec.context) {
      if (!NAME.test(k)) throw badRequest(`CONTEXT attribute name "${k}" must be letters, digits and _`);
      v.set(k.toUpperCase(), value(x, `CONTEXT/${k}`));
    }
    attrs.push({ name: 'CONTEXT', value: v });
  }
  return templateToText(attrs);
}

/** Creates the VM a spec describes; its id. */
export async function createCompute(one: Oca, spec: ComputeSpec): Promise<number> {
  if (spec.templateId === undefined && spec.memory === undefined && spec.instanceType === undefined) {
    throw badRequest('A compute needs an instance type (or an OS template), or its memory');
  }
  const template = computeTemplate(spec);
  if (spec.templateId !== undefined) return one.templates.instantiate(spec.templateId, spec.name ?? '', false, template);
  return one.vms.allocate(template);
}

/** Attaches an image to a running (or powered-off) VM as a new disk. */
export async function attachStorage(one: Oca, vmId: number, disk: { imageId: number; target?: string }): Promise<void> {
  const v = new Map([['IMAGE_ID', String(disk.imageId)]]);
  if (disk.target) v.set('TARGET', value(disk.target, 'TARGET'));
  await one.vms.attachDisk(vmId, templateToText([{ name: 'DISK', value: v }]));
}

/** Attaches a new interface on a network to a VM. */
export async function attachNetwork(one: Oca, vmId: number, nic: { networkId: number; ip?: string }): Promise<void> {
  const v = new Map([['NETWORK_ID', String(nic.networkId)]]);
  if (nic.ip) v.set('IP', value(nic.ip, 'IP'));
  await one.vms.attachNic(vmId, templateToText([{ name: 'NIC', value: v }]));
}

// ---------------------------------------------------------------- networks

export interface NetworkSpec {
  name: string;
  description?: string;
  /** First IPv4 address of the range. */
  address?: string;
  size?: number;
  gateway?: string;
  vlanId?: string;
  public?: boolean;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

/** A vnet's template: one address range (IPv4 from `address`, else Ethernet only) of `size` leases. */
export function networkTemplate(spec: NetworkSpec, config: Pick<OcciConfig, 'vn_mad' | 'bridge'>): string {
  if (spec.address !== undefined && !isIpv4(spec.address)) throw badRequest(`ADDRESS must be an IPv4 address, not "${spec.address}"`);
  const size = spec.size ?? 254;
  if (!Number.isInteger(size) || size < 1 || size > 65536) throw badRequest(`SIZE must be a number of addresses between 1 and 65536, not ${spec.size}`);
  const attrs: Attribute[] = [
    { name: 'NAME', value: value(spec.name, 'NAME') },
    { name: 'VN_MAD', value: config.vn_mad },
    { name: 'BRIDGE', value: config.bridge },
  ];
  if (spec.description) attrs.push({ name: 'DESCRIPTION', value: value(spec.description, 'DESCRIPTION') });
  if (spec.gateway) {
    if (!isIpv4(spec.gateway)) throw badRequest(`The gateway must be an IPv4 address, not "${spec.gateway}"`);
    attrs.push({ name: 'GATEWAY', value: spec.gateway });
  }
  if (spec.vlanId) attrs.push({ name: 'VLAN_ID', value: value(spec.vlanId, 'VLAN_ID') });
  const ar = new Map([['SIZE', String(size)]]);
  if (spec.address) {
    ar.set('TYPE', 'IP4');
    ar.set('IP', spec.address);
  } else ar.set('TYPE', 'ETHER');
  attrs.push({ name: 'AR', value: ar });
  return templateToText(attrs);
}

/** Creates a network (and shares it when asked; undone if sharing fails). */
export async function createNetwork(one: Oca, spec: NetworkSpec, config: OcciConfig): Promise<number> {
  if (!spec.name) throw badRequest('A network needs a NAME');
  const id = await one.vnets.allocate(networkTemplate(spec, config));
  if (spec.public) await undoing(() => one.vnets.publish(id, true), () => one.vnets.delete(id));
  return id;
}

// ---------------------------------------------------------------- storage

export interface StorageSpec {
  name: string;
  description?: string;
  type?: string;
  /** MB, for an empty DATABLOCK. */
  size?: number;
  fstype?: string;
  /** A file (or URL) the datastore driver copies. */
  path?: string;
  persistent?: boolean;
  public?: boolean;
}

export function storageTemplate(spec: StorageSpec): string {
  const type = (spec.type || (spec.path ? 'OS' : 'DATABLOCK')).toUpperCase();
  if (!(IMAGE_TYPES as readonly string[]).includes(type) || type === 'BACKUP') throw badRequest(`TYPE must be one of OS, CDROM, DATABLOCK, KERNEL, RAMDISK, CONTEXT, not "${spec.type}"`);
  if (!spec.path && spec.size === undefined) throw badRequest('A storage needs a file to upload (or a PATH), or a SIZE in MB for an empty DATABLOCK');
  if (spec.size !== undefined && (!Number.isInteger(spec.size) || spec.size < 1)) throw badRequest(`SIZE must be a whole number of MB, not ${spec.size}`);
  const attrs: Attribute[] = [
    { name: 'NAME', value: value(spec.name, 'NAME') },
    { name: 'TYPE', value: type },
  ];
  if (spec.description) attrs.push({ name: 'DESCRIPTION', value: value(spec.description, 'DESCRIPTION') });
  if (spec.path) attrs.push({ name: 'PATH', value: value(spec.path, 'PATH') });
  if (spec.size !== undefined) attrs.push({ name: 'SIZE', value: String(spec.size) });
  if (spec.fstype) attrs.push({ name: 'FSTYPE', value: value(spec.fstype, 'FSTYPE') });
  if (spec.persistent) attrs.push({ name: 'PERSISTENT', value: 'YES' });
  return templateToText(attrs);
}

/** Polls the image while it is LOCKED (its driver copying), at most `ms`; its last state. */
export async function waitUnlocked(one: Oca, id: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let state = (await one.images.info(id)).state;
  while (state === IMAGE_LOCKED && Date.now() < end) {
    await sleep(200);
    state = (await one.images.info(id)).state;
  }
  return state;
}

/**
 * Registers an image in the configured datastore; waits (up to `waitMs`) while the driver
 * copies it, then removes an uploaded file (`upload`); one still being copied is removed when
 * the copy ends. Sharing it, when asked, is undone with the image if it fails.
 */
export async function createStorage(one: Oca, spec: StorageSpec, config: OcciConfig, upload?: string, waitMs = 60_000): Promise<number> {
  if (!spec.name) throw badRequest('A storage needs a NAME');
  const id = await one.images.allocate(storageTemplate(spec), config.datastore_id);
  try {
    if (spec.public) await undoing(() => one.images.publish(id, true), () => one.images.delete(id, true));
    const state = await waitUnlocked(one, id, waitMs);
    if (upload && state === IMAGE_LOCKED) void waitUnlocked(one, id, 3600_000).catch(() => 0).finally(() => removeUpload(upload));
    else if (upload) await removeUpload(upload);
  } catch (err) {
    if (upload) await removeUpload(upload);
    throw err;
  }
  return id;
}

/** Removes an uploaded file's own directory. */
export async function removeUpload(file: string): Promise<void> {
  await rm(dirname(file), { recursive: true, force: true });
}

/** Runs `step`; when it fails, runs `undo` (its own failure ignored) and rethrows. */
export async function undoing<T>(step: () => Promise<T>, undo: () => Promise<unknown>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await undo().catch(() => undefined);
    throw err;
  }
}

/** The id of the last path segment of an href (`http://h/storage/7` → 7), or a bare number. */
export function idOfHref(href: string, kind: string): number {
  const m = new RegExp(`(?:^|/)${kind}/(\\d+)/?$`).exec(href.trim()) ?? /^(\d+)$/.exec(href.trim());
  if (!m) throw badRequest(`"${href}" is not the location of a ${kind}`);
  return Number(m[1]);
}

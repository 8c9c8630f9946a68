/**
 * Computes, networks, storage and their links as OCCI entities: the kind, mixins, attributes
 * and applicable actions each one is rendered with (text or JSON, render.ts). Locations are
 * paths below PREFIX; links are named after their compute and the NIC or DISK id.
 */
import type { InstanceType } from '../config.js';
import type { ComputeRecord, NetworkRecord, StorageRecord } from '../resources.js';
import { ACTIONS, KINDS, MIXINS, osTemplateMixin, PREFIX, resourceTemplateMixin, type Category } from './model.js';

export type AttrValue = string | number | boolean;

export interface Entity {
  readonly kind: Category;
  readonly mixins: readonly Category[];
  readonly attributes: readonly (readonly [string, AttrValue])[];
  readonly actions: readonly Category[];
  readonly location: string;
  readonly links: readonly LinkEntity[];
}

export interface LinkEntity extends Entity {
  readonly source: { readonly location: string; readonly kind: Category };
  readonly target: { readonly location: string; readonly kind: Category };
}

const ACTIVE_LCM = new Set(['RUNNING', 'MIGRATE', 'HOTPLUG', 'HOTPLUG_SNAPSHOT', 'HOTPLUG_NIC', 'HOTPLUG_SAVEAS', 'DISK_SNAPSHOT', 'DISK_SNAPSHOT_REVERT', 'DISK_SNAPSHOT_DELETE', 'DISK_RESIZE', 'HOTPLUG_RESIZE', 'BACKUP']);

/** occi.compute.state of a VM: active, inactive, suspended or error. */
export function computeState(c: Pick<ComputeRecord, 'state' | 'lcmState'>): 'active' | 'inactive' | 'suspended' | 'error' {
  if (c.state === 'FAILED' || c.state === 'CLONING_FAILURE' || /FAILURE|UNKNOWN/.test(c.lcmState)) return 'error';
  if (c.state === 'SUSPENDED') return 'suspended';
  if (c.state === 'ACTIVE' && ACTIVE_LCM.has(c.lcmState)) return 'active';
  return 'inactive';
}

export const computeLocation = (id: number) => `${PREFIX}/compute/${id}`;
export const networkLocation = (id: number) => `${PREFIX}/network/${id}`;
export const storageLocation = (id: number) => `${PREFIX}/storage/${id}`;
export const nicLocation = (vm: number, nic: number) => `${PREFIX}/networkinterface/compute_${vm}_nic_${nic}`;
export const diskLocation = (vm: number, disk: number) => `${PREFIX}/storagelink/compute_${vm}_disk_${disk}`;

export function computeLinks(c: ComputeRecord): LinkEntity[] {
  const source = { location: computeLocation(c.id), kind: KINDS.compute };
  const state = computeState(c) === 'active' ? 'active' : 'inactive';
  const nics: LinkEntity[] = c.nics
    .filter((n) => n.networkId !== undefined)
    .map((n) => ({
      kind: KINDS.networkinterface,
      mixins: n.ip ? [MIXINS.ipnetworkinterface] : [],
      attributes: [
        ['occi.core.id', `compute_${c.id}_nic_${n.id}`],
        ['occi.core.title', n.network],
        ['occi.networkinterface.interface', `eth${n.id}`],
        ['occi.networkinterface.mac', n.mac],
        ['occi.networkinterface.state', state],
        ...(n.ip ? ([['occi.networkinterface.address', n.ip], ['occi.networkinterface.allocation', 'dynamic']] as const) : []),
      ],
      actions: [],
      location: nicLocation(c.id, n.id),
      links: [],
      source,
      target: { location: networkLocation(n.networkId!), kind: KINDS.network },
    }));
  const disks: LinkEntity[] = c.disks
    .filter((d) => d.imageId !== undefined)
    .map((d) => ({
      kind: KINDS.storagelink,
      mixins: [],
      attributes: [
        ['occi.core.id', `compute_${c.id}_disk_${d.id}`],
        ['occi.core.title', d.image],
        ['occi.storagelink.deviceid', d.target],
        ['occi.storagelink.state', state],
      ],
      actions: [],
      location: diskLocation(c.id, d.id),
      links: [],
      source,
      target: { location: storageLocation(d.imageId!), kind: KINDS.storage },
    }));
  return [...nics, ...disks];
}

export function computeEntity(c: ComputeRecord, types: readonly InstanceType[]): Entity {
  const state = computeState(c);
  const type = types.find((t) => t.name === c.instanceType);
  const mixins = [...(c.templateId !== undefined ? [osTemplateMixin({ id: c.templateId, name: `template ${c.templateId}` })] : []), ...(type ? [resourceTemplateMixin(type)] : [])];
  const actions = state === 'active' ? [ACTIONS.stop, ACTIONS.restart, ACTIONS.suspend] : state === 'error' ? [ACTIONS.start, ACTIONS.stop] : [ACTIONS.start];
  return {
    kind: KINDS.compute,
    mixins,
    attributes: [
      ['occi.core.id', String(c.id)],
      ['occi.core.title', c.name],
      ['occi.compute.cores', c.vcpu],
      ['occi.compute.share', c.cpu],
      ['occi.compute.memory', Math.round((c.memory / 1024) * 1000) / 1000],
      ['occi.compute.hostname', c.name],
      ['occi.compute.state', state],
      ['occi.compute.state.message', c.lcmState ? `${c.state} ${c.lcmState}` : c.state],
    ],
    actions,
    location: computeLocation(c.id),
    links: computeLinks(c),
  };
}

/** `192.168.0.1` and 254 addresses → `192.168.0.0/24`: the smallest CIDR block holding the range. */
export function cidrOf(first: string, size: number): string {
  const parts = first.split('.').map(Number);
  const ip = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const last = ip + Math.max(size, 1) - 1;
  let prefix = 32;
  while (prefix > 0 && (ip >>> (32 - prefix)) !== (last >>> (32 - prefix))) prefix--;
  const net = prefix === 0 ? 0 : ((ip >>> (32 - prefix)) << (32 - prefix)) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefix}`;
}

export function networkEntity(n: NetworkRecord): Entity {
  return {
    kind: KINDS.network,
    mixins: n.address ? [MIXINS.ipnetwork] : [],
    attributes: [
      ['occi.core.id', String(n.id)],
      ['occi.core.title', n.name],
      ...(n.description ? ([['occi.core.summary', n.description]] as const) : []),
      ...(n.vlanId ? ([['occi.network.vlan', Number(n.vlanId) || n.vlanId]] as const) : []),
      ...(n.bridge ? ([['occi.network.label', n.bridge]] as const) : []),
      ['occi.network.state', 'active'],
      ['occi.network.state.message', `${n.usedLeases} of ${n.size} leases used`],
      ...(n.address ? ([['occi.network.address', cidrOf(n.address, n.size)], ['occi.network.allocation', 'dynamic']] as const) : []),
      ...(n.gateway ? ([['occi.network.gateway', n.gateway]] as const) : []),
    ],
    actions: [],
    location: networkLocation(n.id),
    links: [],
  };
}

export function storageState(s: Pick<StorageRecord, 'state'>): 'online' | 'offline' | 'error' {
  if (s.state === 'ERROR') return 'error';
  if (s.state === 'DISABLED' || s.state.startsWith('LOCKED') || s.state === 'INIT' || s.state === 'DELETE') return 'offline';
  return 'online';
}

export function storageEntity(s: StorageRecord): Entity {
  const state = storageState(s);
  return {
    kind: KINDS.storage,
    mixins: [],
    attributes: [
      ['occi.core.id', String(s.id)],
      ['occi.core.title', s.name],
      ...(s.description ? ([['occi.core.summary', s.description]] as const) : []),
      ['occi.storage.size', Math.round((s.size / 1024) * 1000) / 1000],
      ['occi.storage.state', state],
      ['occi.storage.state.message', s.state],
    ],
    actions: state === 'offline' && s.state === 'DISABLED' ? [ACTIONS.online] : state === 'online' ? [ACTIONS.offline] : [],
    location: storageLocation(s.id),
    links: [],
  };
}

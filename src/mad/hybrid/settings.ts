/**
 * What a hybrid driver reads from oned's documents: a host's template (through the client
 * library, decrypted: the credentials are HOST_ENCRYPTED_ATTR) and a VM from the VMM action
 * data (its id, LCM state, deploy id, size and the PUBLIC_CLOUD section meant for the driver).
 */
import { child, childText, select, type XmlNode } from '../../common/xml-tree.js';
import { decodeActionData } from '../exec/action-data.js';

/** Attributes of a template vector (or of a whole template), by upper-case name; first value wins. */
export type Settings = ReadonlyMap<string, string>;

/** The single-valued children of `node` as settings. */
export function settingsOf(node: XmlNode | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of node?.children ?? []) if (c.children.length === 0 && !out.has(c.name.toUpperCase())) out.set(c.name.toUpperCase(), c.text.trim());
  return out;
}

/** A setting that must be there. @throws Error naming the host and the attribute */
export function required(s: Settings, name: string, where: string): string {
  const v = s.get(name) ?? '';
  if (v === '') throw new Error(`${where} has no ${name} in its template`);
  return v;
}

/** The VM a VMM action is about. */
export interface HybridVm {
  readonly id: number;
  readonly name: string;
  readonly lcmState: number;
  /** The deploy id oned knows ('' before the first deploy). */
  readonly deployId: string;
  /** Host id of the VM's last history record (-1 when none). */
  readonly hostId: number;
  readonly hostName: string;
  /** CPU (cores, may be fractional) and MEMORY (MB) of the VM template. */
  readonly cpu: number;
  readonly memoryMb: number;
  /** The VM's PUBLIC_CLOUD vectors (each as settings, TYPE upper-cased). */
  readonly publicClouds: readonly Settings[];
  /** The VM's CONTEXT, for drivers that pass it on. */
  readonly context: Settings;
}

/** Reads the VM out of `<VMM_DRIVER_ACTION_DATA>` (base64). @throws Error on bad data */
export function vmOfActionData(base64: string | undefined): HybridVm {
  const { root } = decodeActionData(base64);
  const vm = child(root, 'VM');
  if (!vm) throw new Error('The driver action data has no VM');
  const template = child(vm, 'TEMPLATE');
  const history = select(vm, 'HISTORY_RECORDS/HISTORY').at(-1);
  const hid = history ? Number(childText(history, 'HID')) : -1;
  const clouds = [...(template ? select(template, 'PUBLIC_CLOUD') : []), ...(template ? select(template, 'EC2') : []).map((n) => ({ ...n, children: [...n.children, { name: 'TYPE', children: [], text: 'ec2' }] }))];
  return {
    id: Number(childText(vm, 'ID')),
    name: childText(vm, 'NAME'),
    lcmState: Number(childText(vm, 'LCM_STATE')),
    deployId: childText(vm, 'DEPLOY_ID') || childText(root, 'DEPLOY_ID'),
    hostId: Number.isInteger(hid) ? hid : -1,
    hostName: history ? childText(history, 'HOSTNAME') : childText(root, 'HOST'),
    cpu: Number(template ? childText(template, 'CPU') : '') || 0,
    memoryMb: Number(template ? childText(template, 'MEMORY') : '') || 0,
    publicClouds: clouds.map((n) => {
      const s = settingsOf(n);
      s.set('TYPE', (s.get('TYPE') ?? '').toUpperCase());
      return s;
    }),
    context: settingsOf(template ? child(template, 'CONTEXT') : undefined),
  };
}

/**
 * The host template vector with the PUBLIC_CLOUD attributes of VMs that give none (AMI,
 * INSTANCETYPE, TEMPLATE_ID...): PUBLIC_CLOUD itself is what the IM reports (`PUBLIC_CLOUD=YES`).
 */
export const DEFAULTS_VECTOR = 'PUBLIC_CLOUD_DEFAULTS';

/**
 * The PUBLIC_CLOUD section a driver of `types` (upper case, e.g. EC2) uses for the VM: the VM's
 * own (one whose HOST names this host first, as OpenNebula 5.x let a template hold one section per
 * region), over the host template's PUBLIC_CLOUD_DEFAULTS (the defaults of VMs bursting there), else none.
 */
export function publicCloudFor(vm: HybridVm, types: readonly string[], hostName: string, hostDefaults: Settings | undefined): Settings {
  const mine = vm.publicClouds.filter((s) => types.includes(s.get('TYPE') ?? ''));
  const chosen = mine.find((s) => s.get('HOST') === hostName) ?? mine.find((s) => !s.has('HOST')) ?? mine[0];
  const merged = new Map(hostDefaults ?? []);
  for (const [k, v] of chosen ?? []) if (v !== '') merged.set(k, v);
  return merged;
}

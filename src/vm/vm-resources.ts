/**
 * The one place a VM's DISKs and NICs are prepared (allocate, instantiate, attach) and given
 * back (DONE, detach): disks from images (the image pool, `ImageProvider`) or volatile
 * (`TYPE = fs|swap, SIZE`), NICs in virtual networks (the network pool, `NetworkProvider`) or
 * given by plain attributes (BRIDGE, MAC, IP).
 */
import { preparePci } from './vm-pci.js';
import type { Vector } from '../common/template/index.js';
import type { Template } from '../common/template/index.js';
import type { QuotaUsage } from '../auth/quotas.js';
import type { PoolObject, Transaction } from '../pool/index.js';

/**
 * Who takes the resources: the VM's owner (image and network names resolve among their objects)
 * and the check that they may USE each image and network (throws to refuse).
 */
export interface ResourceUser {
  readonly uid: number;
  mayUse(resource: PoolObject): void;
}

/** A DISK or NIC that cannot be used; the message says why. */
export class ResourceError extends Error {}

/**
 * What the image pool offers VMs: resolve the image a DISK names,
 * say why it is not usable, take it for a VM (filling the DISK's SOURCE, TM_MAD...), give it back.
 */
export interface ImageProvider<I extends PoolObject = PoolObject> {
  resolveDisk(disk: Vector, uid: number): I;
  usableError(image: I): string | null;
  acquire(tx: Transaction, image: I, vmId: number, disk: Vector): void;
  /** Fills the DISK as acquire does, without taking the image. */
  fillDisk(image: I, disk: Vector): void;
  release(tx: Transaction, imageId: number, vmId: number): void;
  /** The image of a 3.x savedisk (DISK/SAVE_AS) was filled: READY. */
  savedAsReady?(tx: Transaction, imageId: number): void;
}

/** What the virtual network pool offers VMs: resolve a NIC's network, lease an address, free it. */
export interface NetworkProvider<N extends PoolObject = PoolObject> {
  resolveNic(nic: Vector, uid: number): N;
  allocateLease(tx: Transaction, vnet: N, vmId: number, nic: Vector): void;
  releaseLease(tx: Transaction, nic: Vector, vmId: number): void;
  /** The guest's network variables of a NIC on `vnet` (ETH<NIC_ID>_IP, _MAC, _MASK, _GATEWAY...). */
  contextOf(nic: Vector, vnet: N): Record<string, string>;
  /** Fills a NIC on `vnet` that takes no address (a virtual router VM's FLOATING_ONLY NIC). */
  fillNetwork?(nic: Vector, vnet: N): void;
}

const YES = /^(yes|true)$/i;

/** A virtual router VM's NIC that only carries the router's floating address (FLOATING_ONLY): it takes no lease of its own. */
function floatingOnly(nic: Vector): boolean {
  return YES.test(nic.get('FLOATING_ONLY') ?? '') && YES.test(nic.get('FLOATING_IP') ?? '') && (nic.has('VROUTER_IP') || nic.has('VROUTER_MAC'));
}

/** Facts of oned's configuration and other pools that VM DISKs copy. */
export interface VmResourceOptions {
  /** DEV_PREFIX of disks without an image (oned.conf DEFAULT_DEVICE_PREFIX). */
  readonly devPrefix?: string;
  /** Prefix of the CONTEXT disk's TARGET (oned.conf DEFAULT_CDROM_DEVICE_PREFIX). */
  readonly contextDevPrefix?: string;
  /** What a DISK copies of datastore `dsId` (see disk-defaults.ts); undefined for an unknown one. */
  readonly datastoreDiskAttributes?: (dsId: number) => Record<string, string> | undefined;
  /** The state of image `imageId` (IMAGE_STATE of the DISKs using it). */
  readonly imageState?: (imageId: number) => number | undefined;
  /** The security groups NICs name (src/secgroup/sg-vms.ts): joined and left with the NICs. */
  readonly securityGroups?: SecurityGroupUsers;
}

/** What the security groups offer VMs' NICs; takeNic throws Error when a group does not exist. */
export interface SecurityGroupUsers {
  takeNic(tx: Transaction, nic: Vector, vmId: number): void;
  releaseNic(tx: Transaction, nic: Vector, vmId: number, template: Template): void;
  releaseVm(tx: Transaction, template: Template, vmId: number): void;
}

const IMAGE_ATTRS = ['IMAGE', 'IMAGE_ID'];
const NETWORK_ATTRS = ['NETWORK', 'NETWORK_ID'];
const VOLATILE_TYPES = new Set(['fs', 'swap']);
/** What placeOnSystemDatastore reads of the system datastore. */
export interface SystemDatastore {
  readonly oid: number;
  readonly name: string;
  readonly clusterIds: readonly number[];
  readonly fields: { readonly tmMad: string };
}

/** First VNC/SPICE port (OpenNebula's VNC_PORTS START); a VM's is this plus its id. */
export const GRAPHICS_BASE_PORT = 5900;
/** Default disk bus prefix (OpenNebula's DEFAULT_DEVICE_PREFIX). */
const DEFAULT_DEV_PREFIX = 'hd';

/** The guest variables of each NIC OpenNebula 7.4 writes into CONTEXT (ETH<id>_<suffix>), empty when unknown. */
const NIC_CONTEXT_SUFFIXES = [
  'DNS', 'EXTERNAL', 'GATEWAY', 'IP', 'IP6', 'IP6_GATEWAY', 'IP6_METHOD', 'IP6_METRIC', 'IP6_PREFIX_LENGTH', 'IP6_ULA', 'MAC', 'MASK',
  'METHOD', 'METRIC', 'MTU', 'NETWORK', 'ROUTES', 'SEARCH_DOMAIN', 'VLAN_ID', 'VROUTER_IP', 'VROUTER_IP6', 'VROUTER_MANAGEMENT',
];
/** Network attributes a NIC keeps for the guest (from its context variables: ETH<id>_DNS → DNS...). */
const NIC_NETWORK_ATTRS = ['DNS', 'GATEWAY', 'SEARCH_DOMAIN'];

export class VmResources {
  private readonly devPrefix: string;
  private readonly contextDevPrefix: string;

  constructor(
    private readonly images: ImageProvider,
    private readonly vnets: NetworkProvider,
    private readonly options: VmResourceOptions = {},
  ) {
    this.devPrefix = options.devPrefix ?? DEFAULT_DEV_PREFIX;
    this.contextDevPrefix = options.contextDevPrefix ?? this.devPrefix;
  }

  /**
   * Numbers and checks the template's DISKs (DISK_ID from 0, TARGET from DEV_PREFIX), the
   * CONTEXT disk (the DISK_ID after them) and NICs (NIC_ID from 0, MAC when missing), in the
   * caller's transaction step. Throws ResourceError.
   */
  prepare(tx: Transaction, template: Template, vmId: number, user: ResourceUser): void {
    const disks = vectors(template, 'DISK');
    disks.forEach((disk, i) => this.prepareDisk(tx, disk, i, vmId, user));
    const context = template.getVector('CONTEXT');
    if (context) context.set('DISK_ID', String(disks.length));
    // OpenNebula's TARGET order: the image disks, then the CONTEXT disk, then the volatile ones.
    const fromImages = disks.filter((d) => d.has('IMAGE_ID'));
    const volatile = disks.filter((d) => !d.has('IMAGE_ID'));
    this.assignTargets([...fromImages, ...(context ? [context] : []), ...volatile], context);
    const pciProblem = preparePci(template);
    if (pciProblem) throw new ResourceError(pciProblem);
    const nics = vectors(template, 'NIC');
    const vnets = nics.map((nic, i) => this.prepareNic(tx, nic, i, vmId, user));
    // CONTEXT NETWORK = YES: the guest learns each NIC's addresses, as OpenNebula generates them.
    if (context && context.get('NETWORK')?.toUpperCase() === 'YES') {
      nics.forEach((nic, i) => {
        const vnet = vnets[i];
        const vars = vnet ? this.vnets.contextOf(nic, vnet) : plainNicContext(nic);
        const id = nic.get('NIC_ID');
        for (const suffix of NIC_CONTEXT_SUFFIXES) context.set(`ETH${id}_${suffix}`, vars[`ETH${id}_${suffix}`] ?? '');
        if (vars[`ETH${id}_GATEWAY6`]) context.set(`ETH${id}_IP6_GATEWAY`, vars[`ETH${id}_GATEWAY6`]!);
      });
    }
  }

  /**
   * What a VM shows once placed on system datastore `ds` (deploy), as OpenNebula 7.4 fills it:
   * TM_MAD_SYSTEM, the disks without an image on that datastore (DATASTORE, DATASTORE_ID,
   * TM_MAD, CLUSTER_ID, its ALLOW_ORPHANS, DISK_TYPE, PERSISTENT_SNAPSHOTS, DRIVER from FORMAT)
   * and the GRAPHICS port (5900 + the VM id, as the VMM drivers use it) when none is set.
   */
  placeOnSystemDatastore(template: Template, vmId: number, ds: SystemDatastore): void {
    template.set('TM_MAD_SYSTEM', ds.fields.tmMad);
    const attrs = this.options.datastoreDiskAttributes?.(ds.oid) ?? {};
    for (const disk of vectors(template, 'DISK')) {
      if (disk.has('IMAGE_ID')) continue;
      disk.set('DATASTORE', ds.name);
      disk.set('DATASTORE_ID', String(ds.oid));
      disk.set('TM_MAD', ds.fields.tmMad);
      disk.set('CLUSTER_ID', ds.clusterIds.join(','));
      for (const k of ['ALLOW_ORPHANS', 'DISK_TYPE', 'PERSISTENT_SNAPSHOTS']) if (attrs[k] && !disk.has(k)) disk.set(k, attrs[k]!);
      if (!disk.has('DRIVER')) disk.set('DRIVER', disk.get('FORMAT') || 'raw');
    }
    const graphics = template.getVector('GRAPHICS');
    if (graphics && !graphics.get('PORT')) graphics.set('PORT', String(GRAPHICS_BASE_PORT + vmId));
  }

  /**
   * The DISKs of a VM template as `one.template.info` shows them extended: numbered, and those
   * naming an image filled as a VM's would be (its state as it is; nothing is taken). A DISK
   * whose image cannot be found stays as written.
   */
  extendDisks(template: Template, uid: number): void {
    vectors(template, 'DISK').forEach((disk, i) => {
      disk.set('DISK_ID', String(i));
      if (!IMAGE_ATTRS.some((a) => disk.has(a))) return;
      let image: PoolObject;
      try {
        image = this.images.resolveDisk(disk, uid);
      } catch {
        return;
      }
      const given = new Set(disk.keys());
      this.images.fillDisk(image, disk);
      this.completeImageDisk(disk, given);
    });
  }

  /** Prepares one more DISK (attach): the next DISK_ID and a free TARGET. */
  prepareAttachedDisk(tx: Transaction, template: Template, disk: Vector, vmId: number, user: ResourceUser): void {
    const ids = [...vectors(template, 'DISK'), ...vectors(template, 'CONTEXT')].map((d) => Number(d.get('DISK_ID') ?? -1));
    this.prepareDisk(tx, disk, Math.max(-1, ...ids) + 1, vmId, user);
    const context = template.getVector('CONTEXT');
    if (!disk.has('TARGET')) this.assignTargets([...vectors(template, 'DISK'), ...(context ? [context] : []), disk], context);
  }

  /** Prepares one more NIC (attach): the next NIC_ID. */
  prepareAttachedNic(tx: Transaction, template: Template, nic: Vector, vmId: number, user: ResourceUser): void {
    const ids = vectors(template, 'NIC').map((n) => Number(n.get('NIC_ID') ?? -1));
    this.prepareNic(tx, nic, Math.max(-1, ...ids) + 1, vmId, user);
  }

  /** Gives back what a DISK took (its image). */
  releaseDisk(tx: Transaction, disk: Vector, vmId: number): void {
    const imageId = disk.get('IMAGE_ID');
    if (imageId !== undefined) this.images.release(tx, Number(imageId), vmId);
    const saveAs = disk.get('SAVE_AS');
    if (saveAs !== undefined) this.images.savedAsReady?.(tx, Number(saveAs));
  }

  /**
   * Gives back what a NIC took (its lease; with the VM's `template`, that has its other NICs,
   * the security groups no other NIC names).
   */
  releaseNic(tx: Transaction, nic: Vector, vmId: number, template?: Template): void {
    if (nic.has('NETWORK_ID')) this.vnets.releaseLease(tx, nic, vmId);
    if (template) this.options.securityGroups?.releaseNic(tx, nic, vmId, template);
  }

  /** Gives back every DISK and NIC of a VM that is DONE. */
  releaseAll(tx: Transaction, template: Template, vmId: number): void {
    for (const d of vectors(template, 'DISK')) this.releaseDisk(tx, d, vmId);
    for (const n of vectors(template, 'NIC')) this.releaseNic(tx, n, vmId);
    this.options.securityGroups?.releaseVm(tx, template, vmId);
  }

  private prepareDisk(tx: Transaction, disk: Vector, id: number, vmId: number, user: ResourceUser): void {
    disk.set('DISK_ID', String(id));
    if (IMAGE_ATTRS.some((a) => disk.has(a))) {
      const image = this.resolve(() => this.images.resolveDisk(disk, user.uid), `DISK ${id}`);
      user.mayUse(image);
      const problem = this.images.usableError(image);
      if (problem) throw new ResourceError(`DISK ${id}: ${problem}`);
      const given = new Set(disk.keys());
      this.images.acquire(tx, image, vmId, disk);
      this.completeImageDisk(disk, given);
      return;
    }
    const type = (disk.get('TYPE') ?? '').toLowerCase();
    if (!VOLATILE_TYPES.has(type)) throw new ResourceError(`DISK ${id}: a disk without IMAGE or IMAGE_ID must be volatile: TYPE = fs or swap.`);
    const size = disk.get('SIZE') ?? '';
    if (!/^\d+$/.test(size) || Number(size) <= 0) throw new ResourceError(`DISK ${id}: volatile disk needs SIZE, a positive number of MB (got "${size}").`);
    disk.set('TYPE', type);
    if (type === 'fs' && !disk.has('FORMAT')) disk.set('FORMAT', 'raw');
    if (!disk.has('DEV_PREFIX')) disk.set('DEV_PREFIX', this.devPrefix);
    // FORMAT goes into a transfer file line: one plain word (raw, qcow2, or a 3.x file system type).
    const format = disk.get('FORMAT');
    if (format !== undefined && !/^[A-Za-z0-9_]+$/.test(format)) throw new ResourceError(`DISK ${id}: FORMAT "${format}" is not a disk format (raw, qcow2) or file system type.`);
  }

  /**
   * What OpenNebula 7.4's DISKs show of their image beyond what the image pool filled: the
   * image's state, ORIGINAL_SIZE, DISK_SNAPSHOT_TOTAL_SIZE, DRIVER and the datastore's
   * ALLOW_ORPHANS, CLONE_TARGET, LN_TARGET, PERSISTENT_SNAPSHOTS; IMAGE_UNAME / IMAGE_UID only
   * when the DISK named the image by them, PERSISTENT only for persistent images.
   */
  private completeImageDisk(disk: Vector, given: ReadonlySet<string>): void {
    for (const k of ['IMAGE_UNAME', 'IMAGE_UID']) if (!given.has(k)) disk.delete(k);
    if (disk.get('PERSISTENT') !== 'YES') disk.delete('PERSISTENT');
    const state = this.options.imageState?.(Number(disk.get('IMAGE_ID')));
    if (state !== undefined) disk.set('IMAGE_STATE', String(state));
    if (!disk.has('ORIGINAL_SIZE')) disk.set('ORIGINAL_SIZE', disk.get('SIZE') ?? '0');
    if (!disk.has('DISK_SNAPSHOT_TOTAL_SIZE')) disk.set('DISK_SNAPSHOT_TOTAL_SIZE', '0');
    const ds = this.options.datastoreDiskAttributes?.(Number(disk.get('DATASTORE_ID'))) ?? {};
    for (const [k, v] of Object.entries(ds)) if (k !== 'DRIVER' && !disk.has(k)) disk.set(k, v);
    if (!disk.has('DRIVER')) disk.set('DRIVER', ds['DRIVER'] || disk.get('FORMAT') || 'raw');
  }

  /**
   * What OpenNebula 7.4's NICs show of their network beyond the lease: CLUSTER_ID, DNS, GATEWAY,
   * SEARCH_DOMAIN when the network (or its AR) has them, SECURITY_GROUPS (the default group 0
   * when the network names none); attributes the network leaves empty and NETWORK_UNAME (unless
   * the NIC named the network by it) are not kept.
   */
  private completeNic(nic: Vector, vnet: PoolObject, given: ReadonlySet<string>): void {
    for (const [k, v] of [...nic]) if (v === '' && !given.has(k)) nic.delete(k);
    if (!given.has('NETWORK_UNAME')) nic.delete('NETWORK_UNAME');
    const clusters = (vnet as PoolObject & { clusterIds?: readonly number[] }).clusterIds;
    if (clusters && !nic.has('CLUSTER_ID')) nic.set('CLUSTER_ID', clusters.join(','));
    const vars = this.vnets.contextOf(nic, vnet);
    const id = nic.get('NIC_ID');
    for (const k of NIC_NETWORK_ATTRS) {
      const v = vars[`ETH${id}_${k}`];
      if (v && !nic.has(k)) nic.set(k, v);
    }
    if (!nic.has('SECURITY_GROUPS')) nic.set('SECURITY_GROUPS', '0');
  }

  /** Disk targets `<prefix>a`, `<prefix>b`... for disks that have none, skipping used ones. */
  private assignTargets(disks: readonly Vector[], context: Vector | undefined): void {
    assignTargets(disks, (d) => (d === context ? this.contextDevPrefix : (d.get('DEV_PREFIX') ?? this.devPrefix)));
  }

  /** Runs a pool's lookup or lease, its Error becoming a ResourceError that names the DISK or NIC. */
  private resolve<R>(fn: () => R, what: string): R {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ResourceError) throw err;
      // The pools' messages may start with the attribute they are about: say it once.
      throw new ResourceError(`${what}: ${(err as Error).message.replace(/^(DISK|NIC): /, '')}`);
    }
  }

  /** Numbers and checks one NIC, leasing its address; returns its network, if it names one. */
  private prepareNic(tx: Transaction, nic: Vector, id: number, vmId: number, user: ResourceUser): PoolObject | undefined {
    nic.set('NIC_ID', String(id));
    // As OpenNebula names them: NIC<id>, on the host the tap one-<vm>-<nic>.
    if (!nic.has('NAME')) nic.set('NAME', `NIC${id}`);
    if (!nic.has('TARGET')) nic.set('TARGET', `one-${vmId}-${id}`);
    if (NETWORK_ATTRS.some((a) => nic.has(a))) {
      const vnet = this.resolve(() => this.vnets.resolveNic(nic, user.uid), `NIC ${id}`);
      user.mayUse(vnet);
      const given = new Set(nic.keys());
      if (floatingOnly(nic) && this.vnets.fillNetwork) {
        this.vnets.fillNetwork(nic, vnet);
        if (!nic.has('MAC')) nic.set('MAC', defaultMac(undefined, vmId, id));
      } else this.resolve(() => this.vnets.allocateLease(tx, vnet, vmId, nic), `NIC ${id}`);
      this.completeNic(nic, vnet, given);
      this.resolve(() => this.options.securityGroups?.takeNic(tx, nic, vmId), `NIC ${id}`);
      return vnet;
    }
    const ip = nic.get('IP');
    if (ip !== undefined && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip)) throw new ResourceError(`NIC ${id}: IP "${ip}" is not an IPv4 address.`);
    const mac = nic.get('MAC');
    if (mac !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new ResourceError(`NIC ${id}: MAC "${mac}" is not a MAC address.`);
    if (mac === undefined) nic.set('MAC', defaultMac(ip, vmId, id));
    return undefined;
  }
}

/** The network variables of a NIC without a network: its own MAC and IP. */
function plainNicContext(nic: Vector): Record<string, string> {
  const id = nic.get('NIC_ID');
  const out: Record<string, string> = { [`ETH${id}_MAC`]: nic.get('MAC') ?? '' };
  const ip = nic.get('IP');
  if (ip !== undefined) out[`ETH${id}_IP`] = ip;
  return out;
}

/** The template's vector attributes named `name` (string attributes are skipped). */
export function vectors(template: Template, name: string): Vector[] {
  return template.getAll(name).flatMap((a) => (typeof a.value === 'string' ? [] : [a.value]));
}

/** Disk targets `<prefix>a`, `<prefix>b`... for disks that have none, skipping used ones; `prefixOf` gives each disk's prefix. */
function assignTargets(disks: readonly Vector[], prefixOf: (d: Vector) => string): void {
  const used = new Set(disks.map((d) => d.get('TARGET')).filter((t) => t !== undefined));
  for (const d of disks) {
    if (d.has('TARGET')) continue;
    const prefix = prefixOf(d);
    for (let i = 0; i < 26; i++) {
      const t = `${prefix}${String.fromCharCode(97 + i)}`;
      if (!used.has(t)) {
        d.set('TARGET', t);
        used.add(t);
        break;
      }
    }
  }
}

/** OpenNebula's MAC scheme: prefix 02:00 and the IPv4 address; without an IP, the VM and NIC ids. */
function defaultMac(ip: string | undefined, vmId: number, nicId: number): string {
  const bytes = ip ? ip.split('.').map(Number) : [(vmId >>> 16) & 0xff, (vmId >>> 8) & 0xff, vmId & 0xff, nicId & 0xff];
  return ['02', '00', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * MB a DISK takes in the system datastore: its SIZE when volatile; for a non-persistent image
 * disk grown by `one.vm.diskresize`, what it grew beyond the image (SIZE - ORIGINAL_SIZE); else 0.
 */
function systemDiskSize(disk: Vector): number {
  const size = Number(disk.get('SIZE') ?? 0);
  if (VOLATILE_TYPES.has(disk.get('TYPE') ?? '')) return size;
  const original = disk.get('ORIGINAL_SIZE');
  if (original === undefined || disk.get('IMAGE_ID') === undefined || disk.get('PERSISTENT') === 'YES') return 0;
  return Math.max(0, size - Number(original));
}

/** The quota one DISK takes: SYSTEM_DISK_SIZE of a volatile disk, IMAGE RVMS of its image. */
export function diskQuotaUsage(disk: Vector): QuotaUsage[] {
  const size = systemDiskSize(disk);
  const out: QuotaUsage[] = size > 0 ? [{ kind: 'VM', amounts: { SYSTEM_DISK_SIZE: size } }] : [];
  const image = disk.get('IMAGE_ID');
  if (image !== undefined) out.push({ kind: 'IMAGE', id: Number(image), amounts: { RVMS: 1 } });
  return out;
}

/** The quota one NIC takes: a NETWORK lease of its virtual network. */
export function nicQuotaUsage(nic: Vector): QuotaUsage[] {
  const vnet = nic.get('NETWORK_ID');
  return vnet === undefined ? [] : [{ kind: 'NETWORK', id: Number(vnet), amounts: { LEASES: 1 } }];
}

/**
 * The quota a VM's template takes, as charged on allocate and given back when it is DONE (and
 * recomputed by `onedb fsck`): VMS 1, CPU, MEMORY, and what each DISK and NIC takes.
 */
export function vmQuotaUsage(template: Template): QuotaUsage[] {
  const systemDisk = vectors(template, 'DISK').reduce((sum, d) => sum + systemDiskSize(d), 0);
  const out: QuotaUsage[] = [{ kind: 'VM', amounts: { VMS: 1, CPU: Number(template.get('CPU') ?? 0), MEMORY: Number(template.get('MEMORY') ?? 0), SYSTEM_DISK_SIZE: systemDisk } }];
  for (const d of vectors(template, 'DISK')) for (const u of diskQuotaUsage(d)) if (u.kind !== 'VM') out.push(u);
  for (const n of vectors(template, 'NIC')) out.push(...nicQuotaUsage(n));
  return out;
}

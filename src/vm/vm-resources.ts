/**
 * The one place a VM's DISKs and NICs are prepared (allocate, instantiate, attach) and given
 * back (DONE, detach): disks from images (the image pool, `ImageProvider`) or volatile
 * (`TYPE = fs|swap, SIZE`), NICs in virtual networks (the network pool, `NetworkProvider`) or
 * given by plain attributes (BRIDGE, MAC, IP).
 */
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
  release(tx: Transaction, imageId: number, vmId: number): void;
}

/** What the virtual network pool offers VMs: resolve a NIC's network, lease an address, free it. */
export interface NetworkProvider<N extends PoolObject = PoolObject> {
  resolveNic(nic: Vector, uid: number): N;
  allocateLease(tx: Transaction, vnet: N, vmId: number, nic: Vector): void;
  releaseLease(tx: Transaction, nic: Vector, vmId: number): void;
  /** The guest's network variables of a NIC on `vnet` (ETH<NIC_ID>_IP, _MAC, _MASK, _GATEWAY...). */
  contextOf(nic: Vector, vnet: N): Record<string, string>;
}

const IMAGE_ATTRS = ['IMAGE', 'IMAGE_ID'];
const NETWORK_ATTRS = ['NETWORK', 'NETWORK_ID'];
const VOLATILE_TYPES = new Set(['fs', 'swap']);
/** Default disk bus prefix (OpenNebula's DEFAULT_DEVICE_PREFIX). */
const DEFAULT_DEV_PREFIX = 'hd';

export class VmResources {
  constructor(
    private readonly images: ImageProvider,
    private readonly vnets: NetworkProvider,
  ) {}

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
    assignTargets(context ? [...disks, context] : disks);
    const nics = vectors(template, 'NIC');
    const vnets = nics.map((nic, i) => this.prepareNic(tx, nic, i, vmId, user));
    // CONTEXT NETWORK = YES: the guest learns each NIC's addresses, as OpenNebula generates them.
    if (context && context.get('NETWORK')?.toUpperCase() === 'YES') {
      nics.forEach((nic, i) => {
        const vnet = vnets[i];
        const vars = vnet ? this.vnets.contextOf(nic, vnet) : plainNicContext(nic);
        for (const [k, v] of Object.entries(vars)) context.set(k, v);
      });
    }
  }

  /** Prepares one more DISK (attach): the next DISK_ID and a free TARGET. */
  prepareAttachedDisk(tx: Transaction, template: Template, disk: Vector, vmId: number, user: ResourceUser): void {
    const ids = [...vectors(template, 'DISK'), ...vectors(template, 'CONTEXT')].map((d) => Number(d.get('DISK_ID') ?? -1));
    this.prepareDisk(tx, disk, Math.max(-1, ...ids) + 1, vmId, user);
    if (!disk.has('TARGET')) assignTargets([...vectors(template, 'DISK'), ...vectors(template, 'CONTEXT'), disk]);
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
  }

  /** Gives back what a NIC took (its lease). */
  releaseNic(tx: Transaction, nic: Vector, vmId: number): void {
    if (nic.has('NETWORK_ID')) this.vnets.releaseLease(tx, nic, vmId);
  }

  /** Gives back every DISK and NIC of a VM that is DONE. */
  releaseAll(tx: Transaction, template: Template, vmId: number): void {
    for (const d of vectors(template, 'DISK')) this.releaseDisk(tx, d, vmId);
    for (const n of vectors(template, 'NIC')) this.releaseNic(tx, n, vmId);
  }

  private prepareDisk(tx: Transaction, disk: Vector, id: number, vmId: number, user: ResourceUser): void {
    disk.set('DISK_ID', String(id));
    if (IMAGE_ATTRS.some((a) => disk.has(a))) {
      const image = this.resolve(() => this.images.resolveDisk(disk, user.uid), `DISK ${id}`);
      user.mayUse(image);
      const problem = this.images.usableError(image);
      if (problem) throw new ResourceError(`DISK ${id}: ${problem}`);
      this.images.acquire(tx, image, vmId, disk);
      return;
    }
    const type = (disk.get('TYPE') ?? '').toLowerCase();
    if (!VOLATILE_TYPES.has(type)) throw new ResourceError(`DISK ${id}: a disk without IMAGE or IMAGE_ID must be volatile: TYPE = fs or swap.`);
    const size = disk.get('SIZE') ?? '';
    if (!/^\d+$/.test(size) || Number(size) <= 0) throw new ResourceError(`DISK ${id}: volatile disk needs SIZE, a positive number of MB (got "${size}").`);
    disk.set('TYPE', type);
    if (type === 'fs' && !disk.has('FORMAT')) disk.set('FORMAT', 'raw');
    // FORMAT goes into a transfer file line: one plain word (raw, qcow2, or a 3.x file system type).
    const format = disk.get('FORMAT');
    if (format !== undefined && !/^[A-Za-z0-9_]+$/.test(format)) throw new ResourceError(`DISK ${id}: FORMAT "${format}" is not a disk format (raw, qcow2) or file system type.`);
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
    if (NETWORK_ATTRS.some((a) => nic.has(a))) {
      const vnet = this.resolve(() => this.vnets.resolveNic(nic, user.uid), `NIC ${id}`);
      user.mayUse(vnet);
      this.resolve(() => this.vnets.allocateLease(tx, vnet, vmId, nic), `NIC ${id}`);
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

/** Disk targets `<prefix>a`, `<prefix>b`... (the CONTEXT disk's prefix is `hd`) for disks that have none, skipping used ones. */
function assignTargets(disks: readonly Vector[]): void {
  const used = new Set(disks.map((d) => d.get('TARGET')).filter((t) => t !== undefined));
  for (const d of disks) {
    if (d.has('TARGET')) continue;
    const prefix = d.get('DEV_PREFIX') ?? DEFAULT_DEV_PREFIX;
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

/** MB a DISK takes in the system datastore: its SIZE when volatile, else 0. */
function systemDiskSize(disk: Vector): number {
  return VOLATILE_TYPES.has(disk.get('TYPE') ?? '') ? Number(disk.get('SIZE') ?? 0) : 0;
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

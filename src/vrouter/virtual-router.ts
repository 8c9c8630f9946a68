/**
 * A virtual router (OpenNebula `VROUTER`): a set of NICs on virtual networks, the VMs that
 * implement it (VMS, made by one.vrouter.instantiate from a VM template with VROUTER = YES), and
 * the keepalived settings its VMs share (KEEPALIVED_ID, KEEPALIVED_PASSWORD). A NIC with
 * FLOATING_IP = YES holds a lease of its network owned by the router: the address that floats
 * between the router's VMs (each VM knows it as its NIC's VROUTER_IP). An owned object with
 * permissions and a lock.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template, type Vector } from '../common/template/index.js';
import { Pool, PoolObject, Permissions, templateFromNode, type Lock, type Ownership, type Transaction } from '../pool/index.js';

/** Whether a template value says yes (YES, yes, TRUE...). */
export function isYes(value: string | undefined): boolean {
  return /^(yes|true)$/i.test((value ?? '').trim());
}

/** The addresses of a floating NIC's lease, kept as VROUTER_<name> (each router VM takes its own address). */
const FLOATING_ADDRESS_ATTRS = ['MAC', 'IP', 'IP6', 'IP6_LINK', 'IP6_ULA', 'IP6_GLOBAL', 'VLAN_ID'];
/** What a lease fills in a NIC that a router VM's NIC must not copy (the VM's own lease fills them). */
const LEASE_ATTRS = ['BRIDGE', 'BRIDGE_TYPE', 'VN_MAD', 'PHYDEV', 'OUTER_VLAN_ID', 'NETWORK_UNAME'];

/**
 * A router NIC once its network is resolved (and, for a floating one, its lease taken), as
 * OpenNebula keeps it: a floating NIC's addresses as VROUTER_IP, VROUTER_MAC..., AR_ID kept to
 * give the lease back, the rest of the lease dropped.
 */
export function routerNic(nic: Vector): void {
  if (!isYes(nic.get('FLOATING_IP'))) return;
  for (const k of FLOATING_ADDRESS_ATTRS) {
    const v = nic.get(k);
    if (v === undefined) continue;
    nic.delete(k);
    nic.set(`VROUTER_${k}`, v);
  }
  for (const k of LEASE_ATTRS) nic.delete(k);
}

/** The NIC a router VM gets from a router NIC: without the router's AR_ID and NIC_ID (the VM numbers its own). */
export function vmNicOf(nic: Vector): Vector {
  const out: Vector = new Map(nic);
  out.delete('AR_ID');
  out.delete('NIC_ID');
  return out;
}

export class VirtualRouter extends PoolObject {
  readonly type = 'VROUTER' as const;
  /** The ids of the VMs implementing the router. */
  readonly vms: Set<number>;

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, public template: Template, lock: Lock | null = null, vms: Iterable<number> = []) {
    super(oid, name, owner, perms, lock);
    this.vms = new Set(vms);
  }

  /** The router's NICs, in order. */
  get nics(): Vector[] {
    return this.template.getAll('NIC').flatMap((a) => (typeof a.value === 'string' ? [] : [a.value]));
  }

  nic(nicId: number): Vector | undefined {
    return this.nics.find((n) => n.get('NIC_ID') === String(nicId));
  }

  /** The next NIC_ID: one above the highest. */
  get nextNicId(): number {
    return Math.max(-1, ...this.nics.map((n) => Number(n.get('NIC_ID') ?? -1))) + 1;
  }

  /** TEMPLATE/TEMPLATE_ID: the VM template instantiate used last, -1 when none. */
  get templateId(): number {
    const t = this.template.get('TEMPLATE_ID');
    return t !== undefined && /^\d+$/.test(t.trim()) ? Number(t) : -1;
  }

  /** KEEPALIVED_ID, else OpenNebula's default: a number from 1 to 255 taken from the id. */
  get keepalivedId(): string {
    const k = this.template.get('KEEPALIVED_ID');
    return k !== undefined && k.trim() !== '' ? k.trim() : String((this.oid % 255) + 1);
  }

  /**
   * What each VM of the router adds to its template: the router's NICs (floating addresses as
   * VROUTER_IP...), VROUTER_ID, VROUTER_KEEPALIVED_ID and VROUTER_KEEPALIVED_PASSWORD
   * (`password`: the clear text of KEEPALIVED_PASSWORD, if any).
   */
  vmAttributes(password: string | undefined): Template {
    const t = new Template();
    for (const nic of this.nics) t.add('NIC', vmNicOf(nic));
    t.set('VROUTER_ID', String(this.oid));
    t.set('VROUTER_KEEPALIVED_ID', this.keepalivedId);
    if (password) t.set('VROUTER_KEEPALIVED_PASSWORD', password);
    return t;
  }

  protected renderXml(): string {
    const vms = this.vms.size === 0 ? '<VMS/>' : `<VMS>${[...this.vms].sort((a, b) => a - b).map((i) => `<ID>${i}</ID>`).join('')}</VMS>`;
    return `<VROUTER>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.perms.toXml()}${this.lockXml()}${vms}${this.template.toXml()}</VROUTER>`;
  }

  static fromXml(node: XmlNode): VirtualRouter {
    const vms = (child(node, 'VMS')?.children ?? []).map((c) => Number(c.text));
    return new VirtualRouter(childInt(node, 'ID'), childText(node, 'NAME'), PoolObject.ownerFromXml(node), Permissions.fromXml(child(node, 'PERMISSIONS')), templateFromNode(child(node, 'TEMPLATE')), PoolObject.lockFromXml(node), vms);
  }
}

/** The virtual router pool: table `vrouter_pool`, names unique per owner. */
export class VirtualRouterPool extends Pool<VirtualRouter> {
  constructor() {
    super({ table: 'vrouter_pool', type: 'VROUTER', root: 'VROUTER_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): VirtualRouter {
    return VirtualRouter.fromXml(node);
  }

  /** VM `vmId` (of router VROUTER_ID `routerId`, if any) is DONE: it leaves the router's VMS, in tx. */
  vmDone(tx: Transaction, vmId: number, routerId: string | undefined): void {
    if (routerId === undefined) return;
    const r = this.get(Number(routerId));
    if (r?.vms.has(vmId)) tx.touch(this, r).vms.delete(vmId);
  }
}

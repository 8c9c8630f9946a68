/**
 * A cluster: a group of hosts, and of the datastores and virtual networks they share. Every host
 * is in exactly one cluster (`default`, id 0, unless moved); datastores and networks may be in
 * several.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode, type Ownership } from '../pool/index.js';
import { Plan, PlanState } from './plan.js';

/** The cluster every installation has, where hosts go when no cluster is named. */
export const DEFAULT_CLUSTER_ID = 0;
export const DEFAULT_CLUSTER_NAME = 'default';
/** "No cluster" in API arguments: one.host.allocate takes it for the default cluster. */
export const NONE_CLUSTER_ID = -1;
/** Ids below this are system clusters, which cannot be deleted; user clusters start here. */
export const FIRST_USER_CLUSTER = 100;

/**
 * Owner of the infrastructure objects (clusters, hosts): oneadmin, as OpenNebula sets it. Their
 * XML has no owner or PERMISSIONS, so only the oneadmin group and ACL rules reach them.
 */
export const INFRASTRUCTURE_OWNER: Ownership = { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' };

/** OpenNebula's default permission bits (owner use and manage), which never grant anything to others. */
export const INFRASTRUCTURE_PERMISSIONS = Permissions.fromOctal(0o600);

/** Reserved capacity as written in RESERVED_CPU / RESERVED_MEM: an amount, a percentage (`"10%"`), or '' for none. */
export interface Reserved {
  readonly cpu: string;
  readonly mem: string;
}

function idsXml(root: string, ids: ReadonlySet<number>): string {
  let xml = `<${root}>`;
  for (const id of [...ids].sort((a, b) => a - b)) xml += `<ID>${id}</ID>`;
  return `${xml}</${root}>`;
}

/** A cluster template: one value per name, as OpenNebula keeps cluster templates. */
function clusterTemplate(): Template {
  return new Template([], { replaceMode: true });
}

export class Cluster extends PoolObject {
  readonly type = 'CLUSTER' as const;
  readonly hosts: Set<number>;
  readonly datastores: Set<number>;
  readonly vnets: Set<number>;
  /** The optimization plan (`one.cluster.optimize`), null when there is none. */
  plan: Plan | null = null;

  constructor(oid: number, name: string, public template: Template, hosts: Iterable<number> = [], datastores: Iterable<number> = [], vnets: Iterable<number> = []) {
    super(oid, name, INFRASTRUCTURE_OWNER, INFRASTRUCTURE_PERMISSIONS);
    this.hosts = new Set(hosts);
    this.datastores = new Set(datastores);
    this.vnets = new Set(vnets);
  }

  /** A new cluster, its template holding empty RESERVED_CPU and RESERVED_MEM as OpenNebula's do. */
  static create(oid: number, name: string): Cluster {
    const template = clusterTemplate();
    template.set('RESERVED_CPU', '');
    template.set('RESERVED_MEM', '');
    return new Cluster(oid, name, template);
  }

  /** The capacity its hosts keep out of scheduling unless they set their own. */
  get reserved(): Reserved {
    return { cpu: this.template.get('RESERVED_CPU') ?? '', mem: this.template.get('RESERVED_MEM') ?? '' };
  }

  /** Why the cluster cannot be deleted for what it holds, or null when it is empty. */
  contentsError(): string | null {
    for (const [what, ids] of [['hosts', this.hosts], ['datastores', this.datastores], ['vnets', this.vnets]] as const) {
      if (ids.size > 0) return `Cluster ${this.oid} is not empty, it contains ${ids.size} ${what}.`;
    }
    return null;
  }

  protected renderXml(): string {
    return (
      `<CLUSTER><ID>${this.oid}</ID>${xmlElement('NAME', this.name)}${idsXml('HOSTS', this.hosts)}` +
      `${idsXml('DATASTORES', this.datastores)}${idsXml('VNETS', this.vnets)}${this.template.toXml()}` +
      `${this.plan && this.plan.state !== PlanState.NONE ? this.plan.toXml(this.oid) : ''}</CLUSTER>`
    );
  }

  static fromXml(node: XmlNode): Cluster {
    const ids = (name: string) => (child(node, name)?.children ?? []).map((c) => Number(c.text));
    const planNode = child(node, 'PLAN');
    const cluster = new Cluster(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      templateFromNode(child(node, 'TEMPLATE'), { replaceMode: true }),
      ids('HOSTS'),
      ids('DATASTORES'),
      ids('VNETS'),
    );
    if (planNode) cluster.plan = Plan.fromXml(planNode);
    return cluster;
  }
}

/**
 * Where a VM's owner may deploy, as OpenNebula's scheduler filters it: hosts the owner may
 * MANAGE and system datastores it may USE, by the ACL rules (`one.acl.info`) that apply in this
 * zone. Users of the oneadmin group, and oneadmin, are not filtered.
 *
 * Only the rules that can grant those two rights are kept, indexed by whom they name (every
 * user, one user, one group); an owner's access is the union of its buckets, computed once per
 * owner and cycle, so a check is a set lookup whatever the number of hosts, VMs or rules.
 */
import { AclRight, AclSelector } from '../common/acl/acl-rule.js';
import { ObjectType } from '../common/object-type.js';

/** What one bucket of rules grants on one object type. */
class Grant {
  all = false;
  readonly ids = new Set<number>();
  readonly clusters = new Set<number>();

  merge(other: Grant | undefined): void {
    if (!other) return;
    this.all ||= other.all;
    for (const id of other.ids) this.ids.add(id);
    for (const c of other.clusters) this.clusters.add(c);
  }

  allows(id: number, clusters: Iterable<number>): boolean {
    if (this.all || this.ids.has(id)) return true;
    for (const c of clusters) if (this.clusters.has(c)) return true;
    return false;
  }
}

/** The two grants an audience has. */
interface Bucket {
  readonly host: Grant;
  readonly datastore: Grant;
}

const ID_BITS = 0xffffffffn;
const ONEADMIN_GROUP = 0;

/** An owner's access: checks of hosts and system datastores. */
export interface OwnerAccess {
  /** Not filtered at all (oneadmin and its group). */
  readonly unrestricted: boolean;
  /** Equal for owners with the same access (VMs are matched in groups by it). */
  readonly key: string;
  host(id: number, clusterId: number): boolean;
  datastore(id: number, clusters: Iterable<number>): boolean;
  /** The hosts it may use, as host ids and cluster ids; undefined when it may use every host. */
  hostScope(): { readonly ids: ReadonlySet<number>; readonly clusters: ReadonlySet<number> } | undefined;
}

/** What oneadmin's VMs, and every VM when no rules are read, get. */
export const UNRESTRICTED: OwnerAccess = { unrestricted: true, key: '*', host: () => true, datastore: () => true, hostScope: () => undefined };

export class OwnerAcl {
  private readonly everyone: Bucket = newBucket();
  private readonly byUser = new Map<number, Bucket>();
  private readonly byGroup = new Map<number, Bucket>();
  private readonly cache = new Map<string, OwnerAccess>();

  /**
   * @param rules the rules' four components, as `one.acl.info` gives them (hex)
   * @param zoneId the zone the scheduler places VMs in
   */
  constructor(rules: Iterable<readonly [bigint, bigint, bigint, bigint]>, zoneId: number) {
    for (const [user, resource, rights, zone] of rules) {
      const inZone = (zone & AclSelector.ALL) !== 0n || ((zone & AclSelector.INDIVIDUAL) !== 0n && Number(zone & ID_BITS) === zoneId);
      if (!inZone) continue;
      const bucket = this.bucketOf(user);
      if (!bucket) continue;
      if ((resource & ObjectType.HOST) !== 0n && (rights & AclRight.MANAGE) !== 0n) addTo(bucket.host, resource);
      if ((resource & ObjectType.DATASTORE) !== 0n && (rights & AclRight.USE) !== 0n) addTo(bucket.datastore, resource);
    }
  }

  /** From a `one.acl.info` answer (`<ACL_POOL><ACL><USER>hex</USER>…`). */
  static fromXml(xml: string, zoneId: number): OwnerAcl {
    const rules: [bigint, bigint, bigint, bigint][] = [];
    for (const m of xml.matchAll(/<ACL>([\s\S]*?)<\/ACL>/g)) {
      const block = m[1]!;
      const get = (tag: string) => {
        const found = new RegExp(`<${tag}>\\s*([0-9a-fA-F]+)\\s*</${tag}>`).exec(block);
        return BigInt(`0x${found?.[1] ?? '0'}`);
      };
      rules.push([get('USER'), get('RESOURCE'), get('RIGHTS'), get('ZONE')]);
    }
    return new OwnerAcl(rules, zoneId);
  }

  /** The access of user `uid` with groups `gids` (its primary group among them). */
  access(uid: number, gids: readonly number[]): OwnerAccess {
    if (uid === 0 || gids.includes(ONEADMIN_GROUP)) return UNRESTRICTED;
    const key = `${uid}:${[...gids].sort((a, b) => a - b).join(',')}`;
    let found = this.cache.get(key);
    if (!found) {
      const host = new Grant();
      const datastore = new Grant();
      for (const b of [this.everyone, this.byUser.get(uid), ...gids.map((g) => this.byGroup.get(g))]) {
        host.merge(b?.host);
        datastore.merge(b?.datastore);
      }
      found = {
        unrestricted: false,
        key,
        host: (id, clusterId) => host.allows(id, [clusterId]),
        datastore: (id, clusters) => datastore.allows(id, clusters),
        hostScope: () => (host.all ? undefined : host),
      };
      this.cache.set(key, found);
    }
    return found;
  }

  private bucketOf(user: bigint): Bucket | undefined {
    const id = Number(user & ID_BITS);
    const selector = user & ~ID_BITS;
    if (selector === AclSelector.ALL) return this.everyone;
    const map = selector === AclSelector.INDIVIDUAL ? this.byUser : selector === AclSelector.GROUP ? this.byGroup : undefined;
    if (!map) return undefined;
    let b = map.get(id);
    if (!b) map.set(id, (b = newBucket()));
    return b;
  }
}

function newBucket(): Bucket {
  return { host: new Grant(), datastore: new Grant() };
}

/** Adds what the resource component selects to the grant. */
function addTo(grant: Grant, resource: bigint): void {
  const id = Number(resource & ID_BITS);
  if ((resource & AclSelector.ALL) !== 0n) grant.all = true;
  else if ((resource & AclSelector.INDIVIDUAL) !== 0n) grant.ids.add(id);
  else if ((resource & AclSelector.CLUSTER) !== 0n) grant.clusters.add(id);
  // `@gid` selects the objects of a group: OpenNebula refuses it for hosts, and for system
  // datastores (oneadmin's as a rule) it is not followed here: such a rule grants nothing.
}

/** The groups of each user, from a `one.userpool.info` answer. */
export function userGroups(xml: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const m of xml.matchAll(/<USER>\s*<ID>(\d+)<\/ID>([\s\S]*?)<\/USER>/g)) {
    const groups = /<GROUPS>([\s\S]*?)<\/GROUPS>/.exec(m[2]!)?.[1] ?? '';
    out.set(Number(m[1]), [...groups.matchAll(/<ID>(\d+)<\/ID>/g)].map((g) => Number(g[1])));
  }
  return out;
}

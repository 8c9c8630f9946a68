/**
 * The XML documents of OpenNebula's OCCI API: collections of `href`s and the COMPUTE, NETWORK,
 * STORAGE, USER and INSTANCE_TYPE elements. `base` is the server's URL without the final slash.
 */
import type { OneObject } from '../../../oca/index.js';
import type { InstanceType } from '../config.js';
import type { ComputeRecord, NetworkRecord, StorageRecord } from '../resources.js';
import { tag, wrap } from '../xml.js';

const yesNo = (b: boolean) => (b ? 'YES' : 'NO');

export function rootXml(base: string): string {
  return wrap(
    'ROOT',
    ['COMPUTE', 'INSTANCE_TYPE', 'NETWORK', 'STORAGE', 'USER'].map((k) => tag(`${k}_COLLECTION`, undefined, { href: `${base}/${k.toLowerCase()}` })).join(''),
  );
}

/** `<KIND_COLLECTION><KIND href=".." name=".."/>...`, or the whole elements when `full` is given. */
export function collectionXml<T extends { id: number | string; name: string }>(kind: string, base: string, items: readonly T[], full?: (item: T) => string): string {
  const path = kind.toLowerCase();
  return wrap(`${kind}_COLLECTION`, items.map((i) => (full ? full(i) : tag(kind, undefined, { href: `${base}/${path}/${i.id}`, name: i.name }))).join(''));
}

function owner(base: string, r: { uid: number; uname: string; gname: string }): string {
  return tag('USER', undefined, { href: `${base}/user/${r.uid}`, name: r.uname }) + tag('GROUP', r.gname);
}

export function computeXml(base: string, c: ComputeRecord): string {
  const disks = c.disks
    .map((d) =>
      wrap(
        'DISK',
        (d.imageId !== undefined ? tag('STORAGE', undefined, { href: `${base}/storage/${d.imageId}`, name: d.image }) : '') + tag('TYPE', d.type) + tag('TARGET', d.target),
        { id: d.id },
      ),
    )
    .join('');
  const nics = c.nics
    .map((n) =>
      wrap(
        'NIC',
        (n.networkId !== undefined ? tag('NETWORK', undefined, { href: `${base}/network/${n.networkId}`, name: n.network }) : '') + (n.ip ? tag('IP', n.ip) : '') + tag('MAC', n.mac),
        { id: n.id },
      ),
    )
    .join('');
  const context = c.context.length ? wrap('CONTEXT', c.context.map(([k, v]) => tag(k, v)).join('')) : '';
  return wrap(
    'COMPUTE',
    tag('ID', c.id) +
      owner(base, c) +
      tag('CPU', c.cpu) +
      tag('MEMORY', c.memory) +
      tag('NAME', c.name) +
      (c.instanceType ? tag('INSTANCE_TYPE', c.instanceType, { href: `${base}/instance_type/${c.instanceType}` }) : '') +
      tag('STATE', c.state) +
      (c.lcmState ? tag('LCM_STATE', c.lcmState) : '') +
      disks +
      nics +
      context,
    { href: `${base}/compute/${c.id}` },
  );
}

export function networkXml(base: string, n: NetworkRecord): string {
  return wrap(
    'NETWORK',
    tag('ID', n.id) +
      tag('NAME', n.name) +
      owner(base, n) +
      (n.description ? tag('DESCRIPTION', n.description) : '') +
      (n.address ? tag('ADDRESS', n.address) : '') +
      tag('SIZE', n.size) +
      tag('USED_LEASES', n.usedLeases) +
      tag('PUBLIC', yesNo(n.public)),
    { href: `${base}/network/${n.id}` },
  );
}

export function storageXml(base: string, s: StorageRecord): string {
  return wrap(
    'STORAGE',
    tag('ID', s.id) +
      tag('NAME', s.name) +
      owner(base, s) +
      tag('STATE', s.state) +
      tag('TYPE', s.type) +
      (s.description ? tag('DESCRIPTION', s.description) : '') +
      tag('SIZE', s.size) +
      (s.fstype ? tag('FSTYPE', s.fstype) : '') +
      tag('PUBLIC', yesNo(s.public)) +
      tag('PERSISTENT', yesNo(s.persistent)),
    { href: `${base}/storage/${s.id}` },
  );
}

export function instanceTypeXml(base: string, t: InstanceType): string {
  return wrap('INSTANCE_TYPE', tag('NAME', t.name) + tag('CPU', t.cpu) + tag('VCPU', t.vcpu) + tag('MEMORY', t.memory) + tag('DESCRIPTION', t.description), {
    href: `${base}/instance_type/${t.name}`,
  });
}

/** A user with the limits (QUOTA) and use (USAGE) of its VM and datastore quotas. */
export function userXml(base: string, u: OneObject): string {
  const limit = (path: string) => u.get(path) || '-1';
  const used = (path: string) => u.get(path) || '0';
  const storage = (what: 'SIZE' | 'SIZE_USED') => u.all('DATASTORE_QUOTA/DATASTORE').reduce((s, d) => s + (Number(d.children.find((c) => c.name === what)?.text) || 0), 0);
  return wrap(
    'USER',
    tag('ID', u.id) +
      tag('NAME', u.name) +
      tag('GROUP', u.gname) +
      wrap('QUOTA', tag('CPU', limit('VM_QUOTA/VM/CPU')) + tag('MEMORY', limit('VM_QUOTA/VM/MEMORY')) + tag('NUM_VMS', limit('VM_QUOTA/VM/VMS')) + tag('STORAGE', u.all('DATASTORE_QUOTA/DATASTORE').length ? storage('SIZE') : -1)) +
      wrap('USAGE', tag('CPU', used('VM_QUOTA/VM/CPU_USED')) + tag('MEMORY', used('VM_QUOTA/VM/MEMORY_USED')) + tag('NUM_VMS', used('VM_QUOTA/VM/VMS_USED')) + tag('STORAGE', storage('SIZE_USED'))),
    { href: `${base}/user/${u.id}` },
  );
}

/**
 * VDCs in the client library (`one.vdc.*`, `one.vdcpool.info`): groups given clusters, hosts,
 * datastores and virtual networks of zones. Objects are OneObject: `get('NAME')`,
 * `ids('GROUPS/ID')`, and vdcResources() for the resources of a kind.
 */
import { childText } from '../common/xml-tree.js';
import type { OneObject } from './objects.js';
import { NamedResource } from './resources.js';

/** A resource id meaning every resource of that kind in the zone (the CLI's `ALL`). */
export const VDC_ALL_RESOURCES = -10;

/** The kinds of resources a VDC holds, as the methods name them. */
export type VdcResourceKind = 'cluster' | 'host' | 'datastore' | 'vnet';

/** The element of each kind in a VDC's XML (`<CLUSTERS><CLUSTER><ZONE_ID/><CLUSTER_ID/>`). */
const ELEMENT: Readonly<Record<VdcResourceKind, string>> = { cluster: 'CLUSTER', host: 'HOST', datastore: 'DATASTORE', vnet: 'VNET' };

/** The `{ zone, id }` resources of one kind in a VDC (id VDC_ALL_RESOURCES: all of that zone). */
export function vdcResources(vdc: OneObject, kind: VdcResourceKind): { zone: number; id: number }[] {
  const e = ELEMENT[kind];
  return vdc.all(`${e}S/${e}`).map((r) => ({ zone: Number(childText(r, 'ZONE_ID')), id: Number(childText(r, `${e}_ID`)) }));
}

export class VdcResource extends NamedResource<OneObject> {
  /** A VDC from a template (NAME, and any other attributes). */
  allocate(template: string): Promise<number> {
    return this.id('one.vdc.allocate', template);
  }
  addGroup(id: number, gid: number): Promise<number> {
    return this.id('one.vdc.addgroup', id, gid);
  }
  delGroup(id: number, gid: number): Promise<number> {
    return this.id('one.vdc.delgroup', id, gid);
  }
  /** Gives the VDC's groups resource `resourceId` (VDC_ALL_RESOURCES: all) of `kind` in zone `zoneId`. */
  addResource(kind: VdcResourceKind, id: number, zoneId: number, resourceId: number): Promise<number> {
    return this.id(`one.vdc.add${kind}`, id, zoneId, resourceId);
  }
  delResource(kind: VdcResourceKind, id: number, zoneId: number, resourceId: number): Promise<number> {
    return this.id(`one.vdc.del${kind}`, id, zoneId, resourceId);
  }
}

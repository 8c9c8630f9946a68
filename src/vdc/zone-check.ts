/**
 * The one place VDCs ask about zones. Until the zone pool is wired in, the zones are this oned's
 * (oned.conf FEDERATION/ZONE_ID, the ACL manager's zone) and zone 0; resources of another zone
 * cannot be checked from here and are taken on trust, as OpenNebula does.
 */

/** What the checks need of oned. */
export interface ZoneView {
  /** The zone this oned serves. */
  readonly localZoneId: number;
}

/** Whether zone `id` exists. */
export function zoneExists(view: ZoneView, id: number): boolean {
  return id === view.localZoneId || id === 0;
}

/** Whether zone `id` is the one this oned serves (its resources can be checked here). */
export function isLocalZone(view: ZoneView, id: number): boolean {
  return id === view.localZoneId;
}

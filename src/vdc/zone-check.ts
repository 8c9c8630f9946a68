/**
 * The one place VDCs ask about zones: whether a zone exists (the zone pool, federated, so every
 * zone of the federation is known) and whether it is the one this oned serves, whose resources can
 * be checked here. Resources of another zone are taken on trust, as OpenNebula does.
 */

/** What the checks need of oned. */
export interface ZoneView {
  /** The zone this oned serves. */
  readonly localZoneId: number;
  /** Whether the federation has zone `id`. */
  readonly exists: (id: number) => boolean;
}

/** Whether zone `id` exists. */
export function zoneExists(view: ZoneView, id: number): boolean {
  return id === view.localZoneId || view.exists(id);
}

/** Whether zone `id` is the one this oned serves (its resources can be checked here). */
export function isLocalZone(view: ZoneView, id: number): boolean {
  return id === view.localZoneId;
}

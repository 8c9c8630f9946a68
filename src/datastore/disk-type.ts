/**
 * DISK_TYPE: how the images of a datastore are reached by the hypervisor. `/DATASTORE/DISK_TYPE`
 * and `/IMAGE/DISK_TYPE` hold the number, templates and VM DISKs the name.
 */
export const DiskType = {
  FILE: 0, CDROM: 1, BLOCK: 2, RBD: 3, RBD_CDROM: 4, GLUSTER: 5, GLUSTER_CDROM: 6, SHEEPDOG: 7, SHEEPDOG_CDROM: 8, ISCSI: 9,
} as const;
export type DiskTypeName = keyof typeof DiskType;
export type DiskTypeValue = (typeof DiskType)[DiskTypeName];

const NAMES: Readonly<Record<number, string>> = { ...Object.fromEntries(Object.entries(DiskType).map(([k, v]) => [v, k])), 10: 'FILE_SYSTEM' };

/** The name of a DISK_TYPE number ('FILE' for an unknown one). */
export function diskTypeName(diskType: number): string {
  return NAMES[diskType] ?? 'FILE';
}

/** The DISK_TYPE a name gives (any case), undefined when unknown. */
export function diskTypeOf(name: string): DiskTypeValue | undefined {
  const n = name.trim().toUpperCase();
  return Object.hasOwn(DiskType, n) ? DiskType[n as DiskTypeName] : undefined;
}

/**
 * What oned writes into a datastore's template, as OpenNebula 7.4 does: the TM_MAD's defaults
 * from TM_MAD_CONF (SHARED and the DS_*MIGRATE* flags for system datastores; LN_TARGET,
 * CLONE_TARGET, DRIVER, DISK_TYPE and the per-system-TM variants for image and file datastores;
 * ALLOW_ORPHANS and PERSISTENT_SNAPSHOTS for all but backup ones), the DISK_TYPE name, and the
 * DS_MAD's REQUIRED_ATTRS check. Every function throws a plain Error with the reason; the
 * callers turn it into the API error of their call.
 */
import type { Template, Vector } from '../common/template/index.js';
import { confOf, type DriverConf } from './driver-conf.js';
import { DiskType, diskTypeName, diskTypeOf, type DiskTypeValue } from './disk-type.js';

/** `/DATASTORE/TYPE` values (datastore.ts names them; repeated here to keep this module a leaf). */
const IMAGE_DS = 0;
const SYSTEM_DS = 1;
const BACKUP_DS = 3;

/** The values LN_TARGET and CLONE_TARGET (and their _<TM> variants) may take. */
const TARGETS = new Set(['NONE', 'SELF', 'SYSTEM']);

/** A YES/NO flag of a driver vector: undefined when absent or not a boolean. */
function flag(v: Vector, key: string): boolean | undefined {
  const text = v.get(key);
  if (text === undefined) return undefined;
  const t = text.trim().toUpperCase();
  if (t === 'YES' || t === 'TRUE' || t === '1') return true;
  if (t === 'NO' || t === 'FALSE' || t === '0') return false;
  return undefined;
}

const yesNo = (b: boolean) => (b ? 'YES' : 'NO');

/**
 * Writes the TM_MAD's defaults into the template of a datastore of `dsType` (not BACKUP_DS).
 * Throws when oned.conf has no TM_MAD_CONF for it, or one missing what the type needs.
 */
export function applyTmConf(template: Template, dsType: number, tmMad: string, conf: DriverConf): void {
  if (dsType === BACKUP_DS) return;
  const v = confOf(conf.tm, tmMad);
  if (!v) throw new Error(`TM_MAD named "${tmMad}" is not defined in oned.conf`);
  const broken = new Error(`Attribute shared, ln_target or clone_target in TM_MAD_CONF for ${tmMad} is missing or has wrong value in oned.conf`);
  if (dsType === SYSTEM_DS) {
    const shared = flag(v, 'SHARED');
    if (shared === undefined) throw broken;
    template.set('SHARED', yesNo(shared));
    // Migration flags default to YES, as OpenNebula's do.
    for (const key of ['DS_MIGRATE', 'DS_LIVE_MIGRATE', 'DS_MIGRATE_SNAP']) template.set(key, yesNo(flag(v, key) ?? true));
    template.remove('LN_TARGET');
    template.remove('CLONE_TARGET');
  } else {
    const target = (key: string): string => {
      const t = (v.get(key) ?? '').trim().toUpperCase();
      if (!TARGETS.has(t)) throw broken;
      return t;
    };
    const systems = (v.get('TM_MAD_SYSTEM') ?? '').trim();
    if (systems !== '') {
      template.set('TM_MAD_SYSTEM', systems);
      for (const mode of systems.split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '')) {
        template.set(`LN_TARGET_${mode}`, target(`LN_TARGET_${mode}`));
        template.set(`CLONE_TARGET_${mode}`, target(`CLONE_TARGET_${mode}`));
        const diskType = (v.get(`DISK_TYPE_${mode}`) ?? '').trim();
        if (diskType === '') throw broken;
        template.set(`DISK_TYPE_${mode}`, diskType);
      }
    }
    template.set('LN_TARGET', target('LN_TARGET'));
    template.set('CLONE_TARGET', target('CLONE_TARGET'));
    for (const key of ['DRIVER', 'DISK_TYPE']) {
      const value = (v.get(key) ?? '').trim();
      if (value !== '') template.set(key, value);
    }
    template.remove('SHARED');
  }
  template.set('ALLOW_ORPHANS', (v.get('ALLOW_ORPHANS') ?? '').trim() || 'NO');
  // PERSISTENT_SNAPSHOTS: the driver's word when it has one, else the template's, else YES.
  const persistentSnapshots = flag(v, 'PERSISTENT_SNAPSHOTS');
  if (persistentSnapshots !== undefined) template.set('PERSISTENT_SNAPSHOTS', yesNo(persistentSnapshots));
  else if ((template.get('PERSISTENT_SNAPSHOTS') ?? '').trim() === '') template.set('PERSISTENT_SNAPSHOTS', 'YES');
}

/**
 * Checks the DS_MAD of a datastore of `dsType` (not SYSTEM_DS): oned.conf must have its
 * DS_MAD_CONF, and the template every attribute in its REQUIRED_ATTRS.
 */
export function checkDsConf(template: Template, dsType: number, dsMad: string, conf: DriverConf): void {
  if (dsType === SYSTEM_DS) return;
  const v = confOf(conf.ds, dsMad);
  if (!v) throw new Error(`DS_MAD named "${dsMad}" is not defined in oned.conf`);
  for (const attr of (v.get('REQUIRED_ATTRS') ?? '').split(',').map((a) => a.trim().toUpperCase()).filter((a) => a !== '')) {
    if ((template.get(attr) ?? '').trim() === '') throw new Error(`Datastore template is missing the "${attr}" attribute or it's empty.`);
  }
}

/** A DS_MAD_CONF flag of a DS_MAD (PERSISTENT_ONLY...), `fallback` when not configured. */
export function dsConfFlag(conf: DriverConf, dsMad: string, key: string, fallback: boolean): boolean {
  const v = confOf(conf.ds, dsMad);
  return (v && flag(v, key)) ?? fallback;
}

/**
 * The DISK_TYPE of a datastore of `dsType`: the template's (taken out of it) when given, FILE
 * otherwise; file and backup datastores are always FILE. Image and system datastores show its
 * name in their template again. Throws for an unknown name or one the type does not take.
 */
export function applyDiskType(template: Template, dsType: number): DiskTypeValue {
  const given = (template.get('DISK_TYPE') ?? '').trim();
  template.remove('DISK_TYPE');
  if (dsType !== IMAGE_DS && dsType !== SYSTEM_DS) return DiskType.FILE;
  let diskType: DiskTypeValue = DiskType.FILE;
  if (given !== '') {
    const t = diskTypeOf(given);
    if (t === undefined) throw new Error('Unknown DISK_TYPE in template.');
    const valid: readonly DiskTypeValue[] =
      dsType === IMAGE_DS
        ? [DiskType.FILE, DiskType.BLOCK, DiskType.ISCSI, DiskType.RBD, DiskType.GLUSTER, DiskType.SHEEPDOG]
        : [DiskType.FILE, DiskType.RBD, DiskType.BLOCK];
    if (!valid.includes(t)) throw new Error(`Invalid DISK_TYPE for ${dsType === IMAGE_DS ? 'an Image' : 'a System'} Datastore.`);
    diskType = t;
  }
  template.set('DISK_TYPE', diskTypeName(diskType));
  return diskType;
}

/** Where users may register files from, unless the template says: nowhere but /var/tmp. */
export function applyDirDefaults(template: Template): void {
  if ((template.get('SAFE_DIRS') ?? '') === '' && (template.get('RESTRICTED_DIRS') ?? '') === '') {
    template.set('SAFE_DIRS', '/var/tmp');
    template.set('RESTRICTED_DIRS', '/');
  }
}

/**
 * What a VM DISK copies of its datastore, as OpenNebula fills it: ALLOW_ORPHANS, CLONE_TARGET,
 * LN_TARGET, DISK_TYPE, PERSISTENT_SNAPSHOTS (and DRIVER when the transfer driver sets one).
 * Each comes from the datastore's template; a datastore whose template lacks one (made before
 * oned filled datastore templates from TM_MAD_CONF) takes the TM_MAD_CONF entry of its TM_MAD
 * (src/datastore/driver-conf.ts: oned.conf's, or OpenNebula 7.4's when oned.conf has none).
 */
import type { Template, Vector } from '../common/template/index.js';
import { confOf } from '../datastore/driver-conf.js';

/** The datastore attributes a DISK copies. */
export const DATASTORE_DISK_ATTRIBUTES = ['ALLOW_ORPHANS', 'CLONE_TARGET', 'LN_TARGET', 'DISK_TYPE', 'PERSISTENT_SNAPSHOTS', 'DRIVER'] as const;

/** What every datastore has when neither its template nor TM_MAD_CONF says otherwise. */
const FALLBACK: Readonly<Record<string, string>> = { ALLOW_ORPHANS: 'NO', DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES' };

/**
 * The attributes a DISK copies of a datastore with template `ds` and transfer driver `tmMad`
 * (only those with a value).
 */
export function datastoreDiskAttributes(ds: Template, tmMad: string, tmConf: ReadonlyMap<string, Vector>): Record<string, string> {
  const conf = confOf(tmConf, tmMad);
  const out: Record<string, string> = {};
  for (const k of DATASTORE_DISK_ATTRIBUTES) {
    const v = ds.get(k) || conf?.get(k) || FALLBACK[k];
    if (v) out[k] = v;
  }
  return out;
}

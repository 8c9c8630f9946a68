/**
 * What a VM DISK copies of its datastore, as OpenNebula fills it: ALLOW_ORPHANS, CLONE_TARGET,
 * LN_TARGET, DISK_TYPE, PERSISTENT_SNAPSHOTS (and DRIVER when the transfer driver sets one).
 * Each comes from the datastore's template; a datastore whose template lacks one (made before
 * oned filled datastore templates from TM_MAD_CONF) takes the TM_MAD_CONF entry of its TM_MAD:
 * oned.conf's when it has one, else the defaults of OpenNebula 7.4's oned.conf below.
 */
import type { Template, Vector } from '../common/template/index.js';

/** The datastore attributes a DISK copies. */
export const DATASTORE_DISK_ATTRIBUTES = ['ALLOW_ORPHANS', 'CLONE_TARGET', 'LN_TARGET', 'DISK_TYPE', 'PERSISTENT_SNAPSHOTS', 'DRIVER'] as const;

/** TM_MAD_CONF of OpenNebula 7.4's oned.conf, for the attributes a DISK copies. */
const BUILTIN_TM_MAD_CONF: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  dummy: { CLONE_TARGET: 'SYSTEM', LN_TARGET: 'NONE' },
  shared: { ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'NONE' },
  qcow2: { ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'NONE', DRIVER: 'qcow2' },
  ssh: { ALLOW_ORPHANS: 'YES', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'SYSTEM' },
  local: { ALLOW_ORPHANS: 'YES', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'SYSTEM' },
  ceph: { ALLOW_ORPHANS: 'mixed', CLONE_TARGET: 'SELF', LN_TARGET: 'NONE', DRIVER: 'raw' },
  fs_lvm: { ALLOW_ORPHANS: 'NO', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'SYSTEM', DRIVER: 'raw' },
  fs_lvm_ssh: { ALLOW_ORPHANS: 'NO', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'SYSTEM', DRIVER: 'raw' },
};

/** What every datastore has when neither its template nor TM_MAD_CONF says otherwise. */
const FALLBACK: Readonly<Record<string, string>> = { ALLOW_ORPHANS: 'NO', DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES' };

/** TM_MAD_CONF entries by NAME, from oned.conf's `TM_MAD_CONF = [ NAME = ..., ... ]` vectors. */
export function tmMadConfOf(config: Template): Map<string, Vector> {
  const out = new Map<string, Vector>();
  for (const a of config.getAll('TM_MAD_CONF')) {
    if (typeof a.value === 'string') continue;
    const name = a.value.get('NAME');
    if (name) out.set(name, a.value);
  }
  return out;
}

/**
 * The attributes a DISK copies of a datastore with template `ds` and transfer driver `tmMad`
 * (only those with a value).
 */
export function datastoreDiskAttributes(ds: Template, tmMad: string, tmConf: ReadonlyMap<string, Vector>): Record<string, string> {
  const conf = tmConf.get(tmMad);
  const builtin = BUILTIN_TM_MAD_CONF[tmMad] ?? {};
  const out: Record<string, string> = {};
  for (const k of DATASTORE_DISK_ATTRIBUTES) {
    const v = ds.get(k) || (conf ? conf.get(k) : builtin[k]) || FALLBACK[k];
    if (v) out[k] = v;
  }
  return out;
}

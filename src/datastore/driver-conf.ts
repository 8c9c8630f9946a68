/**
 * TM_MAD_CONF and DS_MAD_CONF: what oned.conf says of each transfer and datastore driver, read
 * from the configuration template (one vector per driver, by NAME). A datastore's template gets
 * its TM_MAD's defaults when it is allocated or updated (see `applyTmConf`), and a DS_MAD's
 * REQUIRED_ATTRS must be in it. A configuration without any TM_MAD_CONF (or DS_MAD_CONF) falls
 * back to OpenNebula 7.4's defaults for the drivers this project ships.
 */
import { Template, type Vector } from '../common/template/index.js';

/** The driver vectors, by upper-case NAME. */
export interface DriverConf {
  readonly tm: ReadonlyMap<string, Vector>;
  readonly ds: ReadonlyMap<string, Vector>;
}

/**
 * OpenNebula 7.4's TM_MAD_CONF and DS_MAD_CONF for the drivers this project runs (dummy, local,
 * ssh, shared, qcow2; dummy, fs, shared, ssh, rsync, restic), used when the configuration has none.
 */
const FALLBACK_TEXT = `
TM_MAD_CONF = [ NAME = "dummy", LN_TARGET = "NONE", CLONE_TARGET = "SYSTEM", SHARED = "YES",
  DS_MIGRATE = "YES", DS_LIVE_MIGRATE = "YES", DS_MIGRATE_SNAP = "YES" ]
TM_MAD_CONF = [ NAME = "local", LN_TARGET = "SYSTEM", CLONE_TARGET = "SYSTEM", SHARED = "NO",
  DS_MIGRATE = "YES", DS_LIVE_MIGRATE = "YES", DS_MIGRATE_SNAP = "YES", ALLOW_ORPHANS = "FORMAT" ]
TM_MAD_CONF = [ NAME = "ssh", LN_TARGET = "SYSTEM", CLONE_TARGET = "SYSTEM", SHARED = "NO",
  DS_MIGRATE = "YES", DS_LIVE_MIGRATE = "YES", DS_MIGRATE_SNAP = "YES", ALLOW_ORPHANS = "YES" ]
TM_MAD_CONF = [ NAME = "shared", LN_TARGET = "NONE", CLONE_TARGET = "SYSTEM", SHARED = "YES",
  DS_MIGRATE = "YES", DS_LIVE_MIGRATE = "YES", DS_MIGRATE_SNAP = "YES", ALLOW_ORPHANS = "FORMAT",
  TM_MAD_SYSTEM = "ssh", LN_TARGET_SSH = "SYSTEM", CLONE_TARGET_SSH = "SYSTEM", DISK_TYPE_SSH = "FILE" ]
TM_MAD_CONF = [ NAME = "qcow2", LN_TARGET = "NONE", CLONE_TARGET = "SYSTEM", SHARED = "YES",
  DS_MIGRATE = "YES", DS_LIVE_MIGRATE = "YES", DS_MIGRATE_SNAP = "YES", ALLOW_ORPHANS = "FORMAT",
  DRIVER = "qcow2", TM_MAD_SYSTEM = "ssh", LN_TARGET_SSH = "SYSTEM", CLONE_TARGET_SSH = "SYSTEM",
  DISK_TYPE_SSH = "FILE" ]
DS_MAD_CONF = [ NAME = "dummy", REQUIRED_ATTRS = "", PERSISTENT_ONLY = "NO" ]
DS_MAD_CONF = [ NAME = "fs", REQUIRED_ATTRS = "", PERSISTENT_ONLY = "NO", MARKETPLACE_ACTIONS = "export" ]
DS_MAD_CONF = [ NAME = "shared", REQUIRED_ATTRS = "", PERSISTENT_ONLY = "NO" ]
DS_MAD_CONF = [ NAME = "ssh", REQUIRED_ATTRS = "", PERSISTENT_ONLY = "NO" ]
DS_MAD_CONF = [ NAME = "rsync", REQUIRED_ATTRS = "RSYNC_HOST,RSYNC_USER", PERSISTENT_ONLY = "YES" ]
DS_MAD_CONF = [ NAME = "restic", REQUIRED_ATTRS = "RESTIC_PASSWORD", PERSISTENT_ONLY = "YES" ]
`;

function byName(template: Template, attr: string): Map<string, Vector> {
  const out = new Map<string, Vector>();
  for (const a of template.getAll(attr)) {
    if (typeof a.value === 'string') continue;
    const name = (a.value.get('NAME') ?? '').trim();
    // The first vector of a name wins, as OpenNebula looks them up.
    if (name !== '' && !out.has(name.toUpperCase())) out.set(name.toUpperCase(), a.value);
  }
  return out;
}

let fallback: DriverConf | undefined;

/** OpenNebula 7.4's defaults for the drivers this project ships. */
export function fallbackDriverConf(): DriverConf {
  if (!fallback) {
    const t = Template.parse(FALLBACK_TEXT);
    fallback = { tm: byName(t, 'TM_MAD_CONF'), ds: byName(t, 'DS_MAD_CONF') };
  }
  return fallback;
}

/** The TM_MAD_CONF and DS_MAD_CONF vectors of a configuration template (fallbacks where it has none). */
export function driverConf(config: Template): DriverConf {
  const tm = byName(config, 'TM_MAD_CONF');
  const ds = byName(config, 'DS_MAD_CONF');
  return { tm: tm.size > 0 ? tm : fallbackDriverConf().tm, ds: ds.size > 0 ? ds : fallbackDriverConf().ds };
}

/** The vector of a driver name (names compare case-insensitively, as OpenNebula's do). */
export function confOf(confs: ReadonlyMap<string, Vector>, name: string): Vector | undefined {
  return confs.get(name.trim().toUpperCase());
}

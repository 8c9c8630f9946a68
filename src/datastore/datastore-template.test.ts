import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { DatastorePool } from './datastore-pool.js';
import { DatastoreType } from './datastore.js';
import { driverConf, fallbackDriverConf } from './driver-conf.js';
import { dsConfFlag } from './datastore-template.js';
import type { Datastore } from './datastore.js';

const owner = { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' };
const all = new Set(['dummy', 'fs', 'shared', 'ssh', 'qcow2', 'local']);

function pool(): DatastorePool {
  return new DatastorePool({ location: '/var/ds', drivers: { ds: all, tm: all } });
}

/** The template as sorted NAME=value pairs, the way OpenNebula 7.4 lists it. */
function attrs(ds: Datastore): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of ds.template.attributes()) if (typeof a.value === 'string') out[a.name] = a.value;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const build = (text: string) => pool().build(100, 'x', owner, Permissions.fromOctal(0o640), Template.parse(text));

// Each expectation below is what OpenNebula 7.4 answered (reference 031-034) for the same allocate.
test('a dummy system datastore: SHARED, the migration flags, ALLOW_ORPHANS NO, PERSISTENT_SNAPSHOTS, DISK_TYPE, dirs', () => {
  const ds = build('TYPE = "SYSTEM_DS"\nTM_MAD = "dummy"');
  assert.deepEqual(attrs(ds), {
    ALLOW_ORPHANS: 'NO', DISK_TYPE: 'FILE', DS_LIVE_MIGRATE: 'YES', DS_MIGRATE: 'YES', DS_MIGRATE_SNAP: 'YES', PERSISTENT_SNAPSHOTS: 'YES',
    RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', SHARED: 'YES', TM_MAD: 'dummy', TYPE: 'SYSTEM_DS',
  });
  assert.deepEqual([ds.fields.dsType, ds.fields.dsMad, ds.fields.tmMad, ds.fields.diskType], [DatastoreType.SYSTEM_DS, '-', 'dummy', 0]);
});

test('a dummy image datastore: targets, no TYPE added, no SHARED', () => {
  assert.deepEqual(attrs(build('DS_MAD = "dummy"\nTM_MAD = "dummy"')), {
    ALLOW_ORPHANS: 'NO', CLONE_TARGET: 'SYSTEM', DISK_TYPE: 'FILE', DS_MAD: 'dummy', LN_TARGET: 'NONE', PERSISTENT_SNAPSHOTS: 'YES',
    RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', TM_MAD: 'dummy',
  });
});

test('an fs/ssh image datastore', () => {
  assert.deepEqual(attrs(build('DS_MAD = "fs"\nTM_MAD = "ssh"')), {
    ALLOW_ORPHANS: 'YES', CLONE_TARGET: 'SYSTEM', DISK_TYPE: 'FILE', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', PERSISTENT_SNAPSHOTS: 'YES',
    RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', TM_MAD: 'ssh',
  });
});

test('an fs/qcow2 image datastore: DRIVER and the TM_MAD_SYSTEM variants', () => {
  assert.deepEqual(attrs(build('DS_MAD = "fs"\nTM_MAD = "qcow2"')), {
    ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', CLONE_TARGET_SSH: 'SYSTEM', DISK_TYPE: 'FILE', DISK_TYPE_SSH: 'FILE', DRIVER: 'qcow2',
    DS_MAD: 'fs', LN_TARGET: 'NONE', LN_TARGET_SSH: 'SYSTEM', PERSISTENT_SNAPSHOTS: 'YES', RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp',
    TM_MAD: 'qcow2', TM_MAD_SYSTEM: 'ssh',
  });
});

test('a file datastore has no DISK_TYPE in its template; a backup one no TM_MAD', () => {
  const files = build('TYPE = "FILE_DS"\nDS_MAD = "fs"\nTM_MAD = "local"');
  assert.deepEqual(attrs(files), {
    ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', PERSISTENT_SNAPSHOTS: 'YES',
    RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', TM_MAD: 'local', TYPE: 'FILE_DS',
  });
  const backup = build('TYPE = "BACKUP_DS"\nDS_MAD = "fs"');
  assert.equal(backup.fields.tmMad, '-');
  assert.equal(backup.template.get('ALLOW_ORPHANS'), undefined);
});

test('given SAFE_DIRS or RESTRICTED_DIRS are kept, BASE_PATH is oned\'s, a valid DISK_TYPE is taken', () => {
  const ds = build('DS_MAD = "fs"\nTM_MAD = "ssh"\nSAFE_DIRS = "/srv"\nBASE_PATH = "/elsewhere"\nDISK_TYPE = "block"');
  assert.equal(ds.template.get('SAFE_DIRS'), '/srv');
  assert.equal(ds.template.get('RESTRICTED_DIRS'), undefined);
  assert.equal(ds.template.get('BASE_PATH'), undefined);
  assert.equal(ds.fields.basePath, '/var/ds/100');
  assert.deepEqual([ds.fields.diskType, ds.template.get('DISK_TYPE')], [2, 'BLOCK']);
});

test('refused: DS_MAD on a system datastore, unknown DISK_TYPE, one the type does not take, drivers oned.conf does not describe', () => {
  assert.throws(() => build('TYPE = "SYSTEM_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"'), /SYSTEM datastores cannot have DS_MAD defined\./);
  assert.throws(() => build('DS_MAD = "fs"\nTM_MAD = "ssh"\nDISK_TYPE = "floppy"'), /Unknown DISK_TYPE in template\./);
  assert.throws(() => build('DS_MAD = "fs"\nTM_MAD = "ssh"\nDISK_TYPE = "CDROM"'), /Invalid DISK_TYPE for an Image Datastore\./);
  assert.throws(() => build('TYPE = SYSTEM_DS\nTM_MAD = "ssh"\nDISK_TYPE = "ISCSI"'), /Invalid DISK_TYPE for a System Datastore\./);
  const bare = new DatastorePool({ location: '/var/ds', drivers: { ds: all, tm: all }, conf: driverConf(Template.parse('TM_MAD_CONF = [ NAME = "ssh", LN_TARGET = "SYSTEM" ]\nDS_MAD_CONF = [ NAME = "fs", REQUIRED_ATTRS = "BRIDGE_LIST" ]')) });
  const make = (text: string) => bare.build(100, 'x', owner, Permissions.fromOctal(0o640), Template.parse(text));
  assert.throws(() => make('DS_MAD = "fs"\nTM_MAD = "ssh"'), /Datastore template is missing the "BRIDGE_LIST" attribute or it's empty\./);
  assert.throws(() => make('DS_MAD = "fs"\nTM_MAD = "ssh"\nBRIDGE_LIST = "h1"'), /Attribute shared, ln_target or clone_target in TM_MAD_CONF for ssh is missing or has wrong value in oned\.conf/);
  assert.throws(() => make('DS_MAD = "fs"\nTM_MAD = "qcow2"\nBRIDGE_LIST = "h1"'), /TM_MAD named "qcow2" is not defined in oned\.conf/);
  assert.throws(() => make('DS_MAD = "dummy"\nTM_MAD = "ssh"'), /DS_MAD named "dummy" is not defined in oned\.conf/);
});

test('update: TYPE and the drivers back when dropped, the TM_MAD defaults again, a new TM_MAD\'s own; bad ones leave it as it was', () => {
  const p = pool();
  const ds = p.build(100, 'x', owner, Permissions.fromOctal(0o640), Template.parse('DS_MAD = "fs"\nTM_MAD = "qcow2"'));
  p.update(ds, Template.parse('ONLY = "this"\nTYPE = "SYSTEM_DS"'));
  assert.deepEqual([ds.template.get('ONLY'), ds.template.get('TYPE'), ds.template.get('DS_MAD'), ds.template.get('TM_MAD')], ['this', 'IMAGE_DS', 'fs', 'qcow2']);
  assert.deepEqual([ds.template.get('CLONE_TARGET'), ds.template.get('LN_TARGET_SSH'), ds.template.get('DISK_TYPE'), ds.template.get('ALLOW_ORPHANS')], ['SYSTEM', 'SYSTEM', 'FILE', 'FORMAT']);
  const next = ds.template.clone();
  next.merge(Template.parse('TM_MAD = "ssh"'));
  p.update(ds, next);
  assert.equal(ds.fields.tmMad, 'ssh');
  assert.deepEqual([ds.template.get('LN_TARGET'), ds.template.get('ALLOW_ORPHANS')], ['SYSTEM', 'YES']);
  const before = ds.toXml();
  assert.throws(() => p.update(ds, Template.parse('TM_MAD = "teleport"')), /TM_MAD "teleport" is not configured/);
  assert.throws(() => p.update(ds, Template.parse('DISK_TYPE = "CDROM"')), /Invalid DISK_TYPE/);
  assert.equal(ds.toXml(), before);
  const sys = p.build(101, 's', owner, Permissions.fromOctal(0o640), Template.parse('TYPE = "SYSTEM_DS"\nTM_MAD = "ssh"'));
  p.update(sys, Template.parse('DS_MAD = "fs"\nTM_MAD = "shared"'));
  assert.deepEqual([sys.template.get('DS_MAD'), sys.fields.dsMad, sys.template.get('SHARED')], [undefined, '-', 'YES']);
});

test('the fallback TM_MAD_CONF and DS_MAD_CONF are those of share/etc/oned.conf', async () => {
  const { readConfigFile } = await import('../common/config.js');
  const { fileURLToPath } = await import('node:url');
  const shipped = driverConf(readConfigFile(fileURLToPath(new URL('../../../share/etc/oned.conf', import.meta.url))));
  const fb = fallbackDriverConf();
  for (const kind of ['tm', 'ds'] as const) {
    for (const [name, v] of fb[kind]) {
      const s = shipped[kind].get(name);
      assert.ok(s, `${kind} ${name} in oned.conf`);
      assert.deepEqual(new Map([...s].sort()), new Map([...v].sort()), `${kind} ${name}`);
    }
  }
});

test('dsConfFlag: a DS_MAD_CONF flag, the fallback for a driver or flag oned.conf does not describe', () => {
  const conf = driverConf(Template.parse('DS_MAD_CONF = [ NAME = "dev", PERSISTENT_ONLY = "YES" ]\nDS_MAD_CONF = [ NAME = "fs", PERSISTENT_ONLY = "NO" ]'));
  assert.equal(dsConfFlag(conf, 'dev', 'PERSISTENT_ONLY', false), true);
  assert.equal(dsConfFlag(conf, 'DEV', 'PERSISTENT_ONLY', false), true, 'names compare in any case');
  assert.equal(dsConfFlag(conf, 'fs', 'PERSISTENT_ONLY', true), false);
  assert.equal(dsConfFlag(conf, 'lvm', 'PERSISTENT_ONLY', true), true);
  assert.equal(dsConfFlag(conf, 'fs', 'CONCURRENT_FORGET', false), false);
});

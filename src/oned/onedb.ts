#!/usr/bin/env node
/**
 * `onedb`: maintenance of oned's database, as OpenNebula's onedb. Every command but `version`
 * refuses to run while oned runs for the same location: oned owns the state then.
 *
 *   onedb version [-v]                 the database's schema version and this program's
 *   onedb backup [FILE]                a portable dump (see src/db/dump.ts)
 *   onedb restore FILE [--force]       load a dump (into an empty database, or --force)
 *   onedb upgrade [--backup FILE | --no-backup]
 *                                      back up, then apply the pending migrations
 *   onedb fsck [--dry-run]             recompute the quota counters and fix them
 *
 * It uses oned's configuration ($ONE_LOCATION/etc/oned.conf, any backend).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigReader, loadConfig } from '../common/config.js';
import { describeConfig, openDatabase, SCHEMA_VERSION, type DbConfig } from '../db/index.js';
import { backupDatabase, checkDump, restoreDatabase } from '../db/dump.js';
import { MIGRATIONS, tablesAt } from '../db/schema.js';
import { dbConfig, Nebula } from './nebula.js';
import { locate, type Location } from './location.js';
import { lockHolder } from './instance-lock.js';

const USAGE = `Usage: onedb COMMAND [OPTIONS]
  version [-v]          the database's schema version and this program's (-v: every migration applied)
  backup [FILE]         write a portable dump of the database to FILE (gzip when it ends in .gz;
                        default $ONE_LOCATION/var/backups/onedb-v<version>-<date>.jsonl.gz)
  restore FILE          load a dump made by onedb backup into an empty database
    --force             replace a database that is not empty
  upgrade               apply the pending migrations, after a backup
    --backup FILE       where the backup goes (default as for backup)
    --no-backup         skip the backup
  fsck [--dry-run]      recompute the quota counters of every user and group from the objects,
                        report each difference and fix it (--dry-run: only report)
Stop oned first (systemctl stop opennebula) for every command but version.
Environment: ONE_LOCATION (as for oned)`;

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  backup: { type: 'string' },
  'no-backup': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function configOf(loc: Location): DbConfig {
  return dbConfig(new ConfigReader(loadConfig(loc.defaultConf, loc.onedConf)), loc);
}

async function refuseWhileRunning(loc: Location, what: string): Promise<void> {
  const pid = await lockHolder(loc);
  if (pid !== null) throw new Error(`oned is running for ${loc.root} (pid ${pid || 'unknown'}); stop it before ${what} (systemctl stop opennebula)`);
}

function defaultBackupFile(loc: Location, version: number): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join(loc.varDir, 'backups', `onedb-v${version}-${stamp}.jsonl.gz`);
}

/** Opens the configured database, runs `fn`, closes it. */
async function withDatabase<T>(config: DbConfig, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function version(loc: Location, values: Values): Promise<number> {
  const config = configOf(loc);
  return withDatabase(config, async (db) => {
    const current = await db.schemaVersion();
    console.log(`Database: ${describeConfig(config)}`);
    console.log(`Schema version: ${current} (this program: ${SCHEMA_VERSION})`);
    if (values.verbose && current > 0) {
      for (const row of await db.query('SELECT version, timestamp, comment FROM db_versioning ORDER BY version')) {
        console.log(`  ${String(row.version).padStart(3)}  ${new Date(Number(row.timestamp) * 1000).toISOString()}  ${String(row.comment)}`);
      }
    }
    if (current === 0) console.log('The database is empty: oned creates the schema at its first start.');
    else if (current < SCHEMA_VERSION) console.log(`${SCHEMA_VERSION - current} migrations pending: run onedb upgrade.`);
    else if (current > SCHEMA_VERSION) console.log('The database is newer than this program: run the release that wrote it.');
    else console.log('Up to date.');
    return 0;
  });
}

async function backup(loc: Location, file: string | undefined): Promise<number> {
  await refuseWhileRunning(loc, 'a backup');
  const config = configOf(loc);
  return withDatabase(config, async (db) => {
    const target = file ?? defaultBackupFile(loc, await db.schemaVersion());
    mkdirSync(dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    try {
      const s = await backupDatabase(db, partial);
      renameSync(partial, target);
      console.log(`Backup of ${describeConfig(config)} (schema version ${s.schemaVersion}, ${s.tables} tables, ${s.rows} rows) written to ${target}`);
    } finally {
      rmSync(partial, { force: true });
    }
    return 0;
  });
}

async function restore(loc: Location, file: string, force: boolean): Promise<number> {
  await refuseWhileRunning(loc, 'a restore');
  if (!existsSync(file)) throw new Error(`no file ${file}`);
  const checked = await checkDump(file);
  const config = configOf(loc);
  const current = await withDatabase(config, (db) => db.schemaVersion());
  if (current > 0 && !force) {
    throw new Error(`${describeConfig(config)} already holds a database (schema version ${current}): use --force to replace it (back it up first: onedb backup)`);
  }
  if (current > SCHEMA_VERSION) throw new Error(`${describeConfig(config)} is at schema version ${current}, newer than this program: it cannot replace it`);
  let summary;
  if (config.backend === 'sqlite') {
    // Into a new file, renamed over the old one only once complete: a failure leaves the old one.
    const file0 = config.file!;
    const temp = `${file0}.restoring`;
    for (const f of [temp, `${temp}-wal`, `${temp}-shm`]) rmSync(f, { force: true });
    try {
      summary = await withDatabase({ ...config, file: temp }, (db) => restoreDatabase(db, file));
      for (const f of [`${file0}-wal`, `${file0}-shm`]) rmSync(f, { force: true });
      renameSync(temp, file0);
    } finally {
      for (const f of [temp, `${temp}-wal`, `${temp}-shm`]) rmSync(f, { force: true });
    }
  } else {
    summary = await withDatabase(config, async (db) => {
      if (current > 0) await db.dropTables(tablesAt(current).map((t) => t.name).reverse());
      try {
        return await restoreDatabase(db, file);
      } catch (err) {
        throw new Error(`${(err as Error).message}; the database is incomplete: run the restore again (with --force)`);
      }
    });
  }
  console.log(`Restored ${summary.rows} rows in ${summary.tables} tables (schema version ${checked.schemaVersion}, backup of ${checked.created}) into ${describeConfig(config)}`);
  if (checked.schemaVersion < SCHEMA_VERSION) console.log(`The backup's schema is older than this program's (${SCHEMA_VERSION}): run onedb upgrade.`);
  return 0;
}

async function upgrade(loc: Location, values: Values): Promise<number> {
  await refuseWhileRunning(loc, 'an upgrade');
  if (values.backup !== undefined && values['no-backup']) throw new UsageError('--backup and --no-backup exclude each other');
  const config = configOf(loc);
  const current = await withDatabase(config, (db) => db.schemaVersion());
  if (current === 0) {
    console.log(`${describeConfig(config)} is empty: oned creates the schema at its first start.`);
    return 0;
  }
  if (current > SCHEMA_VERSION) throw new Error(`the database is at schema version ${current}, newer than the ${SCHEMA_VERSION} this program knows: run the release that wrote it`);
  if (current === SCHEMA_VERSION) {
    console.log(`The database is at schema version ${current}: up to date.`);
    return 0;
  }
  if (!values['no-backup']) await backup(loc, values.backup ?? defaultBackupFile(loc, current));
  const applied = await withDatabase(config, (db) => db.migrate());
  for (const v of applied) console.log(`  ${v}: ${MIGRATIONS.find((m) => m.version === v)!.description}`);
  console.log(`Upgraded ${describeConfig(config)} from schema version ${current} to ${SCHEMA_VERSION}.`);
  return 0;
}

async function fsck(loc: Location, dryRun: boolean): Promise<number> {
  await refuseWhileRunning(loc, 'fsck (oned checks the counters itself when it starts)');
  const nebula = new Nebula(loc);
  try {
    await nebula.open();
    const fix = !dryRun;
    const diffs = await nebula.checkQuotas(fix);
    for (const d of diffs) console.log(d);
    console.log(diffs.length === 0 ? 'Quota counters match the objects.' : `${diffs.length} quota counters ${fix ? 'fixed' : 'differ (not fixed: --dry-run)'}.`);
    return 0;
  } finally {
    await nebula.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    console.error(`onedb: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...rest] = positionals;
  const args = (n: number) => {
    if (rest.length > n) throw new UsageError(`onedb ${command}: unexpected ${rest.slice(n).join(' ')}`);
  };
  const loc = locate();
  try {
    switch (command) {
      case 'version':
        args(0);
        return await version(loc, values);
      case 'backup':
        args(1);
        return await backup(loc, rest[0]);
      case 'restore':
        if (rest.length !== 1) throw new UsageError('onedb restore needs the backup file');
        return await restore(loc, rest[0]!, values.force ?? false);
      case 'upgrade':
        args(0);
        return await upgrade(loc, values);
      case 'fsck':
        args(0);
        return await fsck(loc, values['dry-run'] ?? false);
      default:
        throw new UsageError(`onedb: unknown command ${command ?? '(none)'}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`onedb: ${(err as Error).message}`);
    process.exit(1);
  },
);

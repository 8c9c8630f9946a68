/**
 * The database layer: open the backend oned.conf's `DB` names, bring its schema up to date with
 * `migrate()`, then write through group-committed transactions. See docs/database.md.
 */
import type { DbConfig, DbLog } from './database.js';
import type { MeteredDatabase } from './sql-database.js';

export type { Backend, Database, DbConfig, DbLog, Row, SqlValue, Write } from './database.js';
export type { MeteredDatabase } from './sql-database.js';
export type { WriteStats } from './group-commit.js';
export { describeConfig, serverSettings } from './config.js';
export { SCHEMA_VERSION } from './schema.js';

/**
 * Opens the configured backend: for SQLite the file (created if missing), for PostgreSQL and
 * MySQL a connection pool, creating the database DB_NAME if the server lacks it. Rejects with a
 * message naming the server, port, user and database (never the password) if it cannot connect.
 * Only the chosen backend's driver is loaded. PostgreSQL may list several servers and follows a
 * failover (see src/db/postgres); `log` hears of lost connections and new primaries.
 */
export async function openDatabase(config: DbConfig, log?: DbLog): Promise<MeteredDatabase> {
  switch (config.backend) {
    case 'sqlite':
      return (await import('./sqlite/sqlite-database.js')).openSqlite(config);
    case 'postgresql':
      return (await import('./postgres/postgres-database.js')).openPostgres(config, log);
    case 'mysql':
      return (await import('./mysql/mysql-database.js')).openMysql(config);
  }
}

/**
 * One connection of its own to the PostgreSQL server oned's DB section chooses: with several
 * servers the first writable one (the primary), as oned's pool does. For a session that must
 * outlive single statements (an advisory lock); the caller ends it.
 */
export async function connectPostgresPrimary(config: DbConfig): Promise<{ client: import('pg').Client; host: { host: string; port: number } }> {
  return (await import('./postgres/postgres-database.js')).connectPostgresPrimary(config);
}

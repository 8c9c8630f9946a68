/**
 * The part of every backend that is the same: migrations, schema version, group-committed
 * writes. Each backend supplies a {@link Driver}: how it runs a query and a transaction, and its
 * dialect of the few statements that differ.
 */
import type { Backend, Database, Row, SqlValue, Write } from './database.js';
import { GroupCommitter, type WriteStats } from './group-commit.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { WriteRenderer, type Dialect, type Statement } from './write-sql.js';

/** A backend's connection(s) and dialect. */
export interface Driver {
  readonly backend: Backend;
  readonly dialect: Dialect;
  /** A query with one `?` parameter, a table name, that returns a row if the table exists. */
  readonly tableExistsSql: string;
  /** Runs a read-only query with `?` placeholders. */
  query(sql: string, params: readonly SqlValue[]): Promise<Row[]>;
  /** Runs the statements in one transaction, all or none; resolves once it is durable. */
  transaction(statements: readonly Statement[]): Promise<void>;
  close(): Promise<void>;
}

/** A {@link Database} that also tells how its writes were grouped into transactions. */
export interface MeteredDatabase extends Database {
  readonly writeStats: WriteStats;
  /** Run first in every write transaction when set (HA fencing, src/ha). */
  fence: Statement | undefined;
}

export class SqlDatabase implements MeteredDatabase {
  readonly backend: Backend;
  readonly #driver: Driver;
  readonly #renderer: WriteRenderer;
  readonly #committer: GroupCommitter;
  /**
   * A statement run first in every write transaction (HA fencing, src/ha): when it fails, the
   * transaction's writes are refused.
   */
  fence: Statement | undefined;

  constructor(driver: Driver) {
    this.backend = driver.backend;
    this.#driver = driver;
    this.#renderer = new WriteRenderer(driver.dialect);
    this.#committer = new GroupCommitter((writes) => {
      const statements = this.#renderer.render(writes);
      return driver.transaction(this.fence ? [this.fence, ...statements] : statements);
    });
  }

  get writeStats(): WriteStats {
    return this.#committer.stats;
  }

  async migrate(target: number = SCHEMA_VERSION): Promise<number[]> {
    if (!Number.isInteger(target) || target < 0 || target > SCHEMA_VERSION) {
      throw new Error(`no schema version ${target}: this program knows versions 1 to ${SCHEMA_VERSION}`);
    }
    const current = await this.schemaVersion();
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `the database is at schema version ${current}, newer than the ${SCHEMA_VERSION} this program knows: ` +
          'it was written by a newer release; run that release or restore a backup',
      );
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      if (migration.version > target) break;
      const record: Write = {
        kind: 'upsert',
        table: 'db_versioning',
        row: {
          oid: migration.version,
          version: migration.version,
          timestamp: Math.floor(Date.now() / 1000),
          comment: migration.description,
        },
      };
      const data = migration.upgrade ? await migration.upgrade(this) : [];
      await this.#driver.transaction([
        ...migration.statements(this.backend).map((sql) => ({ sql, params: [] })),
        ...this.#renderer.render([...data, record]),
      ]);
      applied.push(migration.version);
    }
    return applied;
  }

  async dropTables(tables: readonly string[]): Promise<void> {
    await this.#committer.settled();
    await this.#driver.transaction(tables.map((t) => ({ sql: `DROP TABLE IF EXISTS ${t}`, params: [] })));
  }

  async schemaVersion(): Promise<number> {
    const exists = await this.#driver.query(this.#driver.tableExistsSql, ['db_versioning']);
    if (exists.length === 0) return 0;
    const [row] = await this.#driver.query('SELECT MAX(version) AS version FROM db_versioning', []);
    return Number(row?.['version'] ?? 0);
  }

  /** Reads after the writes queued so far are durable: memory changes first, so a read sees them too. */
  async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    await this.#committer.settled();
    return this.#driver.query(sql, params);
  }

  write(writes: readonly Write[]): Promise<void> {
    return this.#committer.write(writes);
  }

  async close(): Promise<void> {
    await this.#committer.close();
    await this.#driver.close();
  }
}

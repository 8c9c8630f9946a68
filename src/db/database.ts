/**
 * The one interface oned uses to reach its database, whatever the backend.
 *
 * oned keeps its objects in memory; the database is where every change is made durable before
 * the change is acknowledged, and where the objects are loaded from at start. So the interface
 * is small: reads at start-up (and for accounting queries), and batches of writes that are
 * committed atomically and group-committed across concurrent requests.
 */

/** A value stored in or read from a column. Integers beyond 2^53 travel as bigint. */
export type SqlValue = string | number | bigint | null;

/** A row as read back: column name to value. Integer columns come back as number, or bigint when not exactly representable. */
export type Row = Record<string, SqlValue>;

/**
 * One write. Writes are expressed as data, not SQL text, so each backend renders them in its
 * own dialect (upsert syntax differs between SQLite, PostgreSQL and MySQL).
 */
export type Write =
  /** Insert the row, or replace the existing row with the same primary key. */
  | { readonly kind: 'upsert'; readonly table: string; readonly row: Readonly<Record<string, SqlValue>> }
  /**
   * Delete the rows whose columns equal all the `where` values and are below all the `below`
   * values (retention of monitoring rows, for one). At least one condition is required.
   */
  | {
      readonly kind: 'delete';
      readonly table: string;
      readonly where: Readonly<Record<string, SqlValue>>;
      readonly below?: Readonly<Record<string, SqlValue>>;
    };

/** The backends oned can run on, named as in oned.conf's `DB = [ BACKEND = ... ]`. */
export type Backend = 'sqlite' | 'postgresql' | 'mysql';

/** Connection settings: oned.conf's `DB` vector attribute, plus where SQLite keeps its file. */
export interface DbConfig {
  readonly backend: Backend;
  /** SQLite: path of the database file (`$ONE_LOCATION/var/one.db`). */
  readonly file?: string;
  /** One server, or several separated by commas (`host:port,host:port`) to fail over between. */
  readonly server?: string;
  readonly port?: number;
  /** With several servers, which one to use: `read-write` (the primary; the default then) or `any`. */
  readonly targetSessionAttrs?: string;
  /** Seconds a call waits for the database when the connection is lost before it fails (default 30). */
  readonly outageTimeout?: number;
  readonly user?: string;
  readonly passwd?: string;
  readonly dbName?: string;
  /** Size of the connection pool for server backends. */
  readonly connections?: number;
  /** SQLite busy timeout in milliseconds (oned.conf `TIMEOUT`). */
  readonly timeout?: number;
}

/** Where the database layer reports what oned's log should show (connection lost, failover). */
export interface DbLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Database {
  readonly backend: Backend;

  /**
   * Brings the schema to the latest version (or to `target`, for tests and restores of older
   * backups), applying every pending migration in order, each in its own transaction, and
   * records it in `db_versioning`. Refuses (throws) if the database was written by a newer
   * schema version than this program knows. Resolves with the versions it applied.
   */
  migrate(target?: number): Promise<number[]>;

  /** The schema version the database is at (0 for an empty database). */
  schemaVersion(): Promise<number>;

  /**
   * A read-only query. Placeholders are `?` in every backend (translated where the backend
   * wants `$1`); identifiers are plain lower-case names that need no quoting. It runs once the
   * writes queued before it have settled, so it reads what memory already shows.
   */
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;

  /**
   * Commits the writes atomically: all or none. Resolves only once the transaction is durable.
   * Calls made while a commit is in flight are group-committed together in the next
   * transaction. A group is all or nothing: its failure rejects every call in it and every call
   * queued behind it (newest first), and none of their writes stay.
   */
  write(writes: readonly Write[]): Promise<void>;

  /** Drops these tables (those that exist), all in one transaction where the backend allows (MySQL commits each DROP). */
  dropTables(tables: readonly string[]): Promise<void>;

  /** Waits for in-flight writes, then closes connections. */
  close(): Promise<void>;
}

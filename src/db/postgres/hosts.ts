/**
 * Choosing a server among several, the way libpq does with a multi-host connection string
 * (`host=a,b,c target_session_attrs=read-write`): try them in order, keep the first that
 * answers and, for `read-write`, whose sessions may write. node-postgres connects to one host
 * only, so this is done here, for the connection pool and for any other connection that must
 * reach the primary (an advisory-lock connection, for one: {@link connectPrimary}).
 */
import pg from 'pg';
import { causeText, hostText, type HostPort, type ServerSettings, type TargetSessionAttrs } from '../config.js';

/** How to open, check and close a connection to one server. */
export interface HostProbe<C> {
  connect(host: HostPort): Promise<C>;
  /** Whether the session may write (not a standby, not `default_transaction_read_only`). */
  writable(conn: C): Promise<boolean>;
  close(conn: C): Promise<void>;
}

/** No server fitted: why, server by server. */
export class NoServerError extends Error {
  constructor(readonly failures: readonly { readonly host: HostPort; readonly error: unknown }[]) {
    super(failures.map((f) => `${hostText(f.host)}: ${causeText(f.error)}`).join('; '));
    this.name = 'NoServerError';
  }
}

/** A server answered but its sessions are read-only (a standby, or a primary being demoted). */
export class ReadOnlyServerError extends Error {
  constructor() {
    super('read-only (a standby, not the primary)');
  }
}

/**
 * The first server, in the given order, that answers and fits `attrs`, with its open
 * connection. Rejects with NoServerError naming each server's reason when none fits.
 */
export async function selectHost<C>(
  hosts: readonly HostPort[],
  attrs: TargetSessionAttrs,
  probe: HostProbe<C>,
): Promise<{ readonly host: HostPort; readonly conn: C }> {
  const failures: { host: HostPort; error: unknown }[] = [];
  for (const host of hosts) {
    let conn: C;
    try {
      conn = await probe.connect(host);
    } catch (error) {
      failures.push({ host, error });
      continue;
    }
    try {
      if (attrs === 'any' || (await probe.writable(conn))) return { host, conn };
      failures.push({ host, error: new ReadOnlyServerError() });
    } catch (error) {
      failures.push({ host, error });
    }
    await probe.close(conn).catch(() => {});
  }
  throw new NoServerError(failures);
}

/** The client settings of one server; `database` overrides DB_NAME (creating it needs `postgres`). */
export function clientConfig(s: ServerSettings, host: HostPort, database = s.dbName): pg.ClientConfig {
  return {
    host: host.host,
    port: host.port,
    user: s.user,
    password: s.passwd,
    database,
    // A server that does not answer (a host gone with its network) must not hold a failover up.
    connectionTimeoutMillis: Math.min(5000, Math.max(1000, s.outageWaitMs)),
    keepAlive: true,
  };
}

/** Whether a session may write: not in recovery (a standby) and not read-only by default. */
export async function sessionWritable(query: (sql: string) => Promise<pg.QueryResult>): Promise<boolean> {
  const r = await query("SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS ro");
  const row = r.rows[0] as { recovery: boolean; ro: string } | undefined;
  return row !== undefined && !row.recovery && row.ro === 'off';
}

/**
 * A single connection to the server the settings' TARGET_SESSION_ATTRS choose (the primary,
 * with several servers): for work that needs its own session, such as holding an advisory lock.
 * Rejects with NoServerError when no server fits. The caller ends the client.
 */
export async function connectPrimary(s: ServerSettings, database = s.dbName): Promise<{ client: pg.Client; host: HostPort }> {
  const { host, conn } = await selectHost(s.hosts, s.targetSessionAttrs, {
    connect: async (h) => {
      const client = new pg.Client(clientConfig(s, h, database));
      client.on('error', () => {}); // a later loss shows as a failing query
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      return client;
    },
    writable: (client) => sessionWritable((sql) => client.query(sql)),
    close: (client) => client.end(),
  });
  return { client: conn, host };
}

/** node's socket errors that mean the server is not there (or no longer). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * Whether an error means the connection or the server's role is lost, so the same work may
 * succeed on another connection (to the new primary): a broken socket, a server shutting down or
 * starting up, a standby's read-only refusal. Not a constraint violation or a bad statement.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof NoServerError || error instanceof ReadOnlyServerError) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionLoss);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE: 08 connection exceptions, 57P01-03 admin/crash shutdown and "cannot connect now",
    // 25006 read-only transaction (the server is, or just became, a standby), 53300 too many connections.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '25006' || code === '53300') return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Connection ended|pool after calling end/i.test(message);
}

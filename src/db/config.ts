/**
 * oned.conf's `DB` settings with their defaults filled in, and the one way they are named in
 * log lines and error messages (never with the password).
 */
import type { Backend, DbConfig } from './database.js';

/** The backends reached over the network. */
export type ServerBackend = Exclude<Backend, 'sqlite'>;

/** One database server of SERVER's list. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Which server of several a connection may use, as libpq's `target_session_attrs` names it:
 * `any` takes the first that answers, `read-write` the first whose sessions may write (a
 * primary, not a standby).
 */
export type TargetSessionAttrs = 'any' | 'read-write';

/** Connection settings of a server backend, every default applied. */
export interface ServerSettings {
  readonly backend: ServerBackend;
  /** The first server (SERVER may list several: see `hosts`). */
  readonly server: string;
  /** The first server's port. */
  readonly port: number;
  /** Every server SERVER lists, in order, each with its port (PORT where it names none). */
  readonly hosts: readonly HostPort[];
  readonly targetSessionAttrs: TargetSessionAttrs;
  /** How long a call waits for a usable server when the connection is lost, in milliseconds. */
  readonly outageWaitMs: number;
  readonly user: string;
  readonly passwd: string;
  readonly dbName: string;
  readonly connections: number;
}

const DEFAULT_PORTS: Readonly<Record<ServerBackend, number>> = { postgresql: 5432, mysql: 3306 };

/** oned.conf's `DB = [ OUTAGE_TIMEOUT ]` default, in seconds. */
export const DEFAULT_OUTAGE_TIMEOUT_S = 30;

/** oned.conf's defaults: `SERVER="localhost"`, `PORT=0` (the backend's port), `USER="oneadmin"`, ... */
export function serverSettings(backend: ServerBackend, config: DbConfig): ServerSettings {
  const hosts = parseHosts(config.server || 'localhost', config.port || DEFAULT_PORTS[backend]);
  if (config.outageTimeout !== undefined && !(config.outageTimeout >= 0)) throw new Error(`DB OUTAGE_TIMEOUT must be 0 or more seconds, got ${config.outageTimeout}`);
  return {
    backend,
    server: hosts[0]!.host,
    port: hosts[0]!.port,
    hosts,
    // Several servers are there for failover: oned writes, so it wants the primary.
    targetSessionAttrs: parseTargetSessionAttrs(config.targetSessionAttrs, hosts.length > 1 ? 'read-write' : 'any'),
    outageWaitMs: (config.outageTimeout ?? DEFAULT_OUTAGE_TIMEOUT_S) * 1000,
    user: config.user || 'oneadmin',
    passwd: config.passwd ?? '',
    dbName: config.dbName || 'opennebula',
    connections: config.connections || 25,
  };
}

/**
 * SERVER's list of servers, as in a libpq multi-host connection string:
 * `"db1:5433,db2,[fd00::3]:5434"`; a server without a port has `defaultPort`.
 */
export function parseHosts(server: string, defaultPort: number): HostPort[] {
  return server.split(',').map((item) => {
    const text = item.trim();
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d*))?$/.exec(text);
    const host = m?.[1] ?? m?.[2];
    if (!m || !host) throw new Error(`DB SERVER: "${text}" is not a server: write host, host:port or [ipv6]:port, separated by commas`);
    const port = m[3] ? Number(m[3]) : defaultPort;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DB SERVER: "${text}" has no valid port (1-65535)`);
    return { host, port };
  });
}

function parseTargetSessionAttrs(value: string | undefined, fallback: TargetSessionAttrs): TargetSessionAttrs {
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase();
  if (v === 'any' || v === 'read-write') return v;
  throw new Error(`DB TARGET_SESSION_ATTRS "${value}" is not supported: use "read-write" or "any"`);
}

/** The servers as `host:port,host:port` (IPv6 addresses in brackets). */
export function hostsText(hosts: readonly HostPort[]): string {
  return hosts.map(hostText).join(',');
}

export function hostText(h: HostPort): string {
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

/** The SQLite file, which has no sensible default: oned decides where `var/` is. */
export function sqliteFile(config: DbConfig): string {
  if (!config.file) throw new Error('sqlite: no database file configured');
  return config.file;
}

/** Names the database for a log line: backend and file, or backend, user, server, port and db. */
export function describeConfig(config: DbConfig): string {
  if (config.backend === 'sqlite') return `sqlite ${config.file ?? '(no file)'}`;
  const s = serverSettings(config.backend, config);
  const attrs = s.hosts.length > 1 ? ` (${s.targetSessionAttrs})` : '';
  return `${s.backend} ${s.user}@${hostsText(s.hosts)}/${s.dbName}${attrs}`;
}

/** How a server backend connects, creates its database, and says the database is missing. */
export interface ServerConnector<P> {
  connect(s: ServerSettings): Promise<P>;
  createDatabase(s: ServerSettings): Promise<void>;
  isMissingDatabase(error: unknown): boolean;
}

/**
 * Connects to a server backend, creating the database first when the server says it does not
 * exist; any failure becomes connectionError's message.
 */
export async function connectCreating<P>(s: ServerSettings, c: ServerConnector<P>): Promise<P> {
  try {
    return await c.connect(s);
  } catch (error) {
    if (!c.isMissingDatabase(error)) throw connectionError(s, error);
    try {
      await c.createDatabase(s);
      return await c.connect(s);
    } catch (creationError) {
      throw connectionError(s, creationError);
    }
  }
}

/** Wraps a failure to reach a server so the message says which server, as which user, for which database. */
export function connectionError(s: ServerSettings, cause: unknown): Error {
  const where = s.hosts.length > 1 ? `any of the servers ${hostsText(s.hosts)}` : `server ${s.server}, port ${s.port}`;
  return new Error(
    `${s.backend}: cannot connect to ${where}, as user "${s.user}", ` +
      `database "${s.dbName}": ${causeText(cause)}`,
    { cause },
  );
}

/** An error's message; connecting to a name with several addresses fails with an AggregateError whose own message is empty. */
export function causeText(cause: unknown): string {
  if (cause instanceof AggregateError && !cause.message) return cause.errors.map(causeText).join('; ');
  if (cause instanceof Error) return cause.message || String((cause as { code?: unknown }).code ?? cause.name);
  return String(cause);
}

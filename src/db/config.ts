/**
 * oned.conf's `DB` settings with their defaults filled in, and the one way they are named in
 * log lines and error messages (never with the password).
 */
import type { Backend, DbConfig } from './database.js';

/** The backends reached over the network. */
export type ServerBackend = Exclude<Backend, 'sqlite'>;

/** Connection settings of a server backend, every default applied. */
export interface ServerSettings {
  readonly backend: ServerBackend;
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly passwd: string;
  readonly dbName: string;
  readonly connections: number;
}

const DEFAULT_PORTS: Readonly<Record<ServerBackend, number>> = { postgresql: 5432, mysql: 3306 };

/** oned.conf's defaults: `SERVER="localhost"`, `PORT=0` (the backend's port), `USER="oneadmin"`, ... */
export function serverSettings(backend: ServerBackend, config: DbConfig): ServerSettings {
  return {
    backend,
    server: config.server || 'localhost',
    port: config.port || DEFAULT_PORTS[backend],
    user: config.user || 'oneadmin',
    passwd: config.passwd ?? '',
    dbName: config.dbName || 'opennebula',
    connections: config.connections || 25,
  };
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
  return `${s.backend} ${s.user}@${s.server}:${s.port}/${s.dbName}`;
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
  return new Error(
    `${s.backend}: cannot connect to server ${s.server}, port ${s.port}, as user "${s.user}", ` +
      `database "${s.dbName}": ${causeText(cause)}`,
    { cause },
  );
}

/** An error's message; connecting to a name with several addresses fails with an AggregateError whose own message is empty. */
function causeText(cause: unknown): string {
  if (cause instanceof AggregateError && !cause.message) return cause.errors.map(causeText).join('; ');
  if (cause instanceof Error) return cause.message || String((cause as { code?: unknown }).code ?? cause.name);
  return String(cause);
}

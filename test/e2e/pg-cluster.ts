/**
 * A private PostgreSQL cluster for a test (the shared server at 127.0.0.1:5432 is left alone):
 * initdb in a temporary directory as the `postgres` OS user, a free port, wal_level = logical
 * (what federation replication needs), started with pg_ctl and removed by `destroy()`.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './harness.js';

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

/** Why private clusters cannot be made here, or undefined when they can. */
export function privatePgUnavailable(): string | undefined {
  if (!postgresBin()) return 'no PostgreSQL server binaries in /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'making a private PostgreSQL cluster needs root (to run initdb as the postgres user)';
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    return 'no postgres OS user';
  }
  return undefined;
}

export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PgCluster> {
    const bin = postgresBin()!;
    const dir = mkdtempSync(join(tmpdir(), 'nebula-pg-'));
    chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    const port = await freePort();
    const data = join(dir, 'data');
    runAsPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'wal_level = logical',
        'max_wal_senders = 10',
        'max_replication_slots = 10',
        'shared_buffers = 16MB',
        'fsync = off',
        // A subscription whose master went away tries again this soon.
        "wal_retrieve_retry_interval = '500ms'",
        '',
      ].join('\n'),
    );
    const cluster = new PgCluster(dir, port);
    cluster.start();
    return cluster;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  start(): void {
    runAsPostgres(join(postgresBin()!, 'pg_ctl'), ['-D', this.data, '-l', join(this.dir, 'server.log'), '-w', 'start']);
  }

  stop(): void {
    runAsPostgres(join(postgresBin()!, 'pg_ctl'), ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  /** oned.conf's DB section for database `dbName` of this cluster. */
  dbSection(dbName: string): string {
    return `DB = [ BACKEND = "postgresql", SERVER = "127.0.0.1", PORT = ${this.port}, USER = "postgres", PASSWD = "", DB_NAME = "${dbName}" ]`;
  }

  async query(dbName: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    const c = new pg.Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: dbName });
    await c.connect();
    try {
      return await c.query(sql, params);
    } finally {
      await c.end();
    }
  }

  /** Stops the server (if running) and removes its files. */
  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function runAsPostgres(cmd: string, args: string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', cwd: '/tmp' });
}

export function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

export function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}

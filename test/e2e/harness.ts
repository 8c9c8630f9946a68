/**
 * Starts `oned` as a separate process, the way an admin does, in a throw-away ONE_LOCATION,
 * on the backend under test, and talks to it over XML-RPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { Backend } from '../../src/db/database.js';
import { XmlRpcClient, type XmlRpcValue } from '../../src/rpc/xmlrpc/index.js';

/** The compiled oned entry point. */
export const ONED = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/oned/main.js');

/**
 * Backends the database suites run on (onEveryBackend: persistence, durability, conformance,
 * leases, fsck...): NEBULA_TEST_BACKENDS (comma list), default all three.
 */
export const BACKENDS: readonly Backend[] = (process.env.NEBULA_TEST_BACKENDS ?? 'sqlite,postgresql,mysql')
  .split(',')
  .map((b) => b.trim())
  .filter((b): b is Backend => b === 'sqlite' || b === 'postgresql' || b === 'mysql');

/**
 * Backends the feature suites run on (onFeatureBackends): those of NEBULA_TEST_BACKENDS when it
 * is set, else SQLite alone. A feature reaches the database through the same pool and
 * write-SQL layers whichever backend is under them, and those layers are what the database
 * suites test on all three; `NEBULA_TEST_BACKENDS=sqlite,postgresql,mysql npm test` runs
 * every suite on all three (about twice as long).
 */
export const FEATURE_BACKENDS: readonly Backend[] = process.env.NEBULA_TEST_BACKENDS ? BACKENDS : ['sqlite'];

export const ONEADMIN_PASSWORD = 'test-oneadmin-pw';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function dbSection(backend: Backend, dbName: string): string {
  switch (backend) {
    case 'sqlite':
      return 'DB = [ BACKEND = "sqlite" ]';
    case 'postgresql':
      return `DB = [ BACKEND = "postgresql", SERVER = "127.0.0.1", PORT = 5432, USER = "postgres", PASSWD = "", DB_NAME = "${dbName}" ]`;
    case 'mysql':
      return `DB = [ BACKEND = "mysql", SERVER = "127.0.0.1", PORT = 3306, USER = "root", PASSWD = "", DB_NAME = "${dbName}" ]`;
  }
}

/** Drops a test database of a server backend. */
export async function dropDatabase(backend: Backend, dbName: string): Promise<void> {
  if (backend === 'postgresql') {
    const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  } else if (backend === 'mysql') {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    try {
      await c.query(`DROP DATABASE IF EXISTS ${dbName}`);
    } finally {
      await c.end();
    }
  }
}

export interface OnedOptions {
  readonly backend: Backend;
  /** Extra oned.conf lines. */
  readonly conf?: string;
  /**
   * Runs the scheduler with this sched.conf. Without it, no scheduler runs: the tests place VMs
   * with one.vm.deploy themselves.
   */
  readonly schedConf?: string;
  /** A DB section of its own (a private database server) instead of the backend's; stop() leaves that database alone. */
  readonly db?: string;
  /** Runs in the new location before oned first starts (files oned should find there). */
  readonly prepare?: (location: string) => void;
}

/**
 * The oned processes this test file started and has not seen exit. When the test runner stops a
 * file (its timeout sends SIGTERM) the file's after() hooks never run: without this, its oneds and
 * their drivers would outlive it.
 */
const liveOneds = new Set<ChildProcess>();
const killLiveOneds = (): void => {
  for (const proc of liveOneds) proc.kill('SIGTERM');
};
process.once('exit', killLiveOneds);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    killLiveOneds();
    process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
  });
}

/** A running oned process and its files. */
export class Oned {
  private proc: ChildProcess | undefined;
  private clients: XmlRpcClient[] = [];
  endpoint = '';
  output = '';
  /** Whether stop() drops the database (not when the test gave its own DB section). */
  ownDatabase = true;

  private constructor(
    readonly backend: Backend,
    readonly location: string,
    readonly dbName: string,
    readonly port: number,
  ) {}

  /** Makes a location, writes its oned.conf and starts oned in it. */
  static async start(opts: OnedOptions): Promise<Oned> {
    const location = mkdtempSync(join(tmpdir(), 'nebula-e2e-'));
    const port = await freePort();
    const dbName = `nebula_e2e_${randomBytes(6).toString('hex')}`;
    mkdirSync(join(location, 'etc'), { recursive: true });
    writeFileSync(
      join(location, 'etc', 'oned.conf'),
      `PORT = ${port}\n${opts.db ?? dbSection(opts.backend, dbName)}\nPASSWORD_SCRYPT_COST = 1024\n${opts.schedConf === undefined ? 'SCHEDULER = ""\n' : ''}${opts.conf ?? ''}\n`,
    );
    if (opts.schedConf !== undefined) writeFileSync(join(location, 'etc', 'sched.conf'), opts.schedConf);
    writeFileSync(join(location, 'one_auth'), `oneadmin:${ONEADMIN_PASSWORD}\n`);
    opts.prepare?.(location);
    const oned = new Oned(opts.backend, location, dbName, port);
    oned.ownDatabase = opts.db === undefined;
    try {
      await oned.launch();
    } catch (err) {
      // A start expected to fail (bad configuration) leaves nothing behind.
      rmSync(location, { recursive: true, force: true });
      if (oned.ownDatabase) await dropDatabase(opts.backend, dbName).catch(() => {});
      throw err;
    }
    return oned;
  }

  /** `oneadmin:password`. */
  get oneadmin(): string {
    return `oneadmin:${ONEADMIN_PASSWORD}`;
  }

  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  /** Starts (or restarts) `oned -f` and waits until it serves. */
  async launch(): Promise<void> {
    // NEBULA_ONED_NODE_ARGS: node options for oned only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark.
    const nodeArgs = (process.env.NEBULA_ONED_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const proc = spawn(process.execPath, [...nodeArgs, ONED, '-f'], {
      env: { ...process.env, ONE_LOCATION: this.location, ONE_AUTH: join(this.location, 'one_auth') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    liveOneds.add(proc);
    proc.once('exit', () => liveOneds.delete(proc));
    this.output = '';
    await new Promise<void>((res, rej) => {
      const onData = (d: Buffer) => {
        this.output += d.toString();
        const m = /serving the XML-RPC API at (\S+)/.exec(this.output);
        if (m) {
          this.endpoint = m[1]!;
          res();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => rej(new Error(`oned exited with ${code} before serving:\n${this.output}`)));
    });
  }

  /** A keep-alive client; closed by stop(). */
  client(): XmlRpcClient {
    const c = new XmlRpcClient(this.endpoint);
    this.clients.push(c);
    return c;
  }

  /** Calls a method as `session` (oneadmin by default) and returns the raw response array. */
  async call(method: string, params: XmlRpcValue[], session = this.oneadmin): Promise<XmlRpcValue[]> {
    this.clients[0] ??= new XmlRpcClient(this.endpoint);
    return (await this.clients[0].call(method, [session, ...params])) as XmlRpcValue[];
  }

  /** Calls and expects success; returns the value. */
  async ok(method: string, params: XmlRpcValue[], session = this.oneadmin): Promise<XmlRpcValue> {
    const r = await this.call(method, params, session);
    if (r[0] !== true) throw new Error(`${method} failed: ${String(r[1])} (code ${String(r[2])})`);
    return r[1]!;
  }

  /** Sends a signal and waits for the process to exit; resolves with the exit code or signal. */
  async signal(sig: NodeJS.Signals): Promise<number | string> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return proc?.exitCode ?? -1;
    for (const c of this.clients) c.close();
    this.clients = [];
    return new Promise((res) => {
      proc.once('exit', (code, signal) => res(code ?? signal ?? -1));
      proc.kill(sig);
    });
  }

  /**
   * Stops oned cleanly and removes its files and database. Every log oned, its drivers and its
   * scheduler wrote in the location is searched for oneadmin's password first (every test uses
   * it): a leak fails the test file that made it.
   */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    const leaks = logsWith(this.location, ONEADMIN_PASSWORD);
    if (leaks.length > 0) {
      rmSync(this.location, { recursive: true, force: true });
      throw new Error(`oneadmin's password is in ${leaks.join(', ')} of an oned location: secrets must never be logged`);
    }
    if (this.ownDatabase) await dropDatabase(this.backend, this.dbName);
    rmSync(this.location, { recursive: true, force: true });
  }
}

/** The logs (*.log, oned.error) under `root` that hold `secret` in clear or base64. */
export function logsWith(root: string, secret: string): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64').replace(/=+$/, '')];
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(log|error)$/.test(e.name) && statSync(p).size < 64 * 1024 * 1024) {
        const text = readFileSync(p, 'latin1');
        if (forms.some((f) => text.includes(f))) out.push(p.slice(root.length + 1));
      }
    }
  };
  walk(root);
  return out;
}

/**
 * A private highly available PostgreSQL for a test: one etcd and three Patroni-managed
 * PostgreSQL nodes on free 127.0.0.1 ports, synchronous replication on (`synchronous_mode`, so
 * a commit is acknowledged only once a standby has it and Patroni promotes only that standby),
 * everything under one temporary directory, PostgreSQL and Patroni running as the `postgres` OS
 * user. `switchover()` asks patronictl for a planned switchover; `crashPrimary()` kills the
 * primary's postmaster with SIGKILL, and Patroni fails over to the synchronous standby
 * (primary_start_timeout = 0: fail over rather than restart a crashed primary).
 * Debian's `patroni` and `etcd-server` packages are installed on first use.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './harness.js';
import { gidOf, postgresBin, privatePgUnavailable, uidOf } from './pg-cluster.js';

const NODES = 3;

/** Why a Patroni cluster cannot be made here (after trying to install the packages), or undefined. */
export function patroniUnavailable(): string | undefined {
  const pgWhy = privatePgUnavailable();
  if (pgWhy) return pgWhy;
  if (!onPath('patroni') || !onPath('etcd')) {
    try {
      execFileSync(
        'apt-get',
        ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', 'patroni', 'etcd-server', 'python3-etcd'],
        { stdio: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
      );
    } catch (error) {
      return `cannot install patroni and etcd-server: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return onPath('patroni') && onPath('patronictl') && onPath('etcd') ? undefined : 'patroni, patronictl or etcd missing after installing them';
}

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$0"', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One Patroni node: its name, PostgreSQL port, REST API port and files. */
export interface PatroniNode {
  readonly name: string;
  readonly pgPort: number;
  readonly restPort: number;
  readonly dir: string;
  proc?: ChildProcess;
}

/** A member as Patroni's REST API `/cluster` lists it. */
export interface Member {
  readonly name: string;
  readonly role: 'leader' | 'sync_standby' | 'replica' | string;
  readonly state: string;
  readonly port: number;
}

export class PatroniCluster {
  private etcd?: ChildProcess;

  private constructor(
    readonly dir: string,
    readonly scope: string,
    readonly etcdPort: number,
    private readonly etcdPeerPort: number,
    readonly nodes: readonly PatroniNode[],
  ) {}

  /** Starts etcd and the three nodes, and waits for a primary with a synchronous standby and a replica. */
  static async create(): Promise<PatroniCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'nebula-patroni-'));
    chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    const ports = await distinctPorts(2 + 2 * NODES);
    const nodes = Array.from({ length: NODES }, (_, i) => ({
      name: `node${i + 1}`,
      pgPort: ports[2 + 2 * i]!,
      restPort: ports[3 + 2 * i]!,
      dir: join(dir, `node${i + 1}`),
    }));
    const cluster = new PatroniCluster(dir, `nebula-${ports[0]}`, ports[0]!, ports[1]!, nodes);
    try {
      cluster.startEtcd();
      await cluster.waitEtcd();
      for (const node of nodes) {
        mkdirSync(node.dir, { mode: 0o700 });
        chownSync(node.dir, uidOf('postgres'), gidOf('postgres'));
        writeFileSync(join(node.dir, 'patroni.yml'), cluster.config(node));
      }
      // The first node bootstraps (initdb) alone; the others then copy it with pg_basebackup.
      cluster.startNode(nodes[0]!);
      await cluster.waitFor('node1 to run as the primary', async () => (await cluster.members()).some((m) => m.name === 'node1' && m.role === 'leader' && m.state === 'running'));
      for (const node of nodes.slice(1)) cluster.startNode(node);
      await cluster.waitHealthy();
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** A node's Patroni configuration (YAML; JSON is YAML). */
  private config(node: PatroniNode): string {
    return JSON.stringify(
      {
        scope: this.scope,
        name: node.name,
        log: { level: 'INFO' },
        restapi: { listen: `127.0.0.1:${node.restPort}`, connect_address: `127.0.0.1:${node.restPort}` },
        etcd3: { hosts: [`127.0.0.1:${this.etcdPort}`] },
        bootstrap: {
          dcs: {
            // Short timings: a lost leader's key expires in 10 s; a crashed primary fails over at once.
            ttl: 10,
            loop_wait: 1,
            retry_timeout: 4,
            primary_start_timeout: 0,
            maximum_lag_on_failover: 1048576,
            synchronous_mode: true,
            // Strict would stop writes when no standby is left; with three nodes one standby may go.
            synchronous_mode_strict: false,
            postgresql: {
              use_pg_rewind: true,
              parameters: { wal_level: 'replica', hot_standby: 'on', max_wal_senders: 10, max_replication_slots: 10, wal_log_hints: 'on' },
            },
          },
          initdb: [{ encoding: 'UTF8' }, { 'auth-local': 'trust' }, { 'auth-host': 'trust' }, 'no-sync'],
        },
        postgresql: {
          listen: `127.0.0.1:${node.pgPort}`,
          connect_address: `127.0.0.1:${node.pgPort}`,
          data_dir: join(node.dir, 'data'),
          bin_dir: postgresBin(),
          pgpass: join(node.dir, 'pgpass'),
          // initdb wants a superuser password; connections from 127.0.0.1 are trusted anyway.
          authentication: { superuser: { username: 'postgres', password: 'nebula-test' }, replication: { username: 'postgres', password: 'nebula-test' } },
          pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust'],
          parameters: { unix_socket_directories: node.dir, shared_buffers: '16MB', fsync: 'off', max_connections: 100 },
        },
        tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
      },
      null,
      2,
    );
  }

  private startEtcd(): void {
    const data = join(this.dir, 'etcd');
    const peer = `http://127.0.0.1:${this.etcdPeerPort}`;
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const log = openSync(join(this.dir, 'etcd.log'), 'a');
    this.etcd = spawn(
      'etcd',
      ['--name', 'etcd1', '--data-dir', data, '--listen-client-urls', client, '--advertise-client-urls', client, '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer, '--initial-cluster', `etcd1=${peer}`, '--initial-cluster-state', 'new'],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
  }

  private async waitEtcd(): Promise<void> {
    await this.waitFor('etcd to answer', async () => (await fetch(`http://127.0.0.1:${this.etcdPort}/health`).then((r) => r.ok, () => false)));
  }

  private startNode(node: PatroniNode): void {
    const log = openSync(join(node.dir, 'patroni.log'), 'a');
    node.proc = spawn('patroni', [join(node.dir, 'patroni.yml')], {
      uid: uidOf('postgres'),
      gid: gidOf('postgres'),
      cwd: node.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: node.dir, LANG: 'C.UTF-8' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
  }

  /** The members as Patroni sees them (asked of any node that answers). */
  async members(): Promise<Member[]> {
    for (const node of this.nodes) {
      try {
        const r = await fetch(`http://127.0.0.1:${node.restPort}/cluster`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return ((await r.json()) as { members: Member[] }).members;
      } catch {
        // that node is down: ask the next
      }
    }
    return [];
  }

  /** The primary and synchronous standby, once every node runs and streams. */
  async waitHealthy(timeoutMs = 120_000): Promise<{ leader: PatroniNode; sync: PatroniNode }> {
    let found: { leader: PatroniNode; sync: PatroniNode } | undefined;
    await this.waitFor('a primary, a synchronous standby and a replica, all running', async () => {
      const members = await this.members();
      const leader = members.find((m) => m.role === 'leader' && m.state === 'running');
      const sync = members.find((m) => m.role === 'sync_standby' && (m.state === 'streaming' || m.state === 'running'));
      if (!leader || !sync || members.length < NODES || members.some((m) => !['running', 'streaming'].includes(m.state))) return false;
      found = { leader: this.node(leader.name), sync: this.node(sync.name) };
      return true;
    }, timeoutMs);
    return found!;
  }

  /** The current primary (waits for there to be one). */
  async primary(timeoutMs = 60_000): Promise<PatroniNode> {
    let leader: Member | undefined;
    await this.waitFor('a primary', async () => Boolean((leader = (await this.members()).find((m) => m.role === 'leader' && m.state === 'running'))), timeoutMs);
    return this.node(leader!.name);
  }

  node(name: string): PatroniNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /** A planned switchover to the synchronous standby with patronictl; resolves once the new primary runs. */
  async switchover(): Promise<{ from: PatroniNode; to: PatroniNode }> {
    const { leader, sync } = await this.waitHealthy();
    this.patronictl(['switchover', this.scope, '--leader', leader.name, '--candidate', sync.name, '--force']);
    await this.waitFor(`${sync.name} to become the primary`, async () => (await this.members()).some((m) => m.name === sync.name && m.role === 'leader' && m.state === 'running'));
    return { from: leader, to: sync };
  }

  /**
   * Kills the primary's postmaster with SIGKILL (its Patroni stays up and, with
   * primary_start_timeout = 0, gives the leadership up to the synchronous standby).
   * Returns the killed node and the standby expected to take over.
   */
  async crashPrimary(): Promise<{ from: PatroniNode; to: PatroniNode }> {
    const { leader, sync } = await this.waitHealthy();
    const pid = Number(readFileSync(join(leader.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    return { from: leader, to: sync };
  }

  /** patronictl against this cluster's etcd; returns its output. */
  patronictl(args: string[]): string {
    return execFileSync('patronictl', ['-c', join(this.nodes[0]!.dir, 'patroni.yml'), ...args], { stdio: 'pipe', env: { ...process.env, HOME: this.dir } }).toString();
  }

  /** The servers for oned.conf's SERVER: every node, in node order. */
  get server(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.pgPort}`).join(',');
  }

  /** oned.conf's DB section for database `dbName` of this cluster; `extra` adds attributes. */
  dbSection(dbName: string, extra = ''): string {
    return `DB = [ BACKEND = "postgresql", SERVER = "${this.server}", USER = "postgres", PASSWD = "", DB_NAME = "${dbName}", TARGET_SESSION_ATTRS = "read-write"${extra ? `, ${extra}` : ''} ]`;
  }

  /** Runs a query on the current primary. */
  async query(dbName: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    const node = await this.primary();
    const c = new pg.Client({ host: '127.0.0.1', port: node.pgPort, user: 'postgres', database: dbName });
    await c.connect();
    try {
      return await c.query(sql, params);
    } finally {
      await c.end();
    }
  }

  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      const dead = this.nodes.find((n) => n.proc && n.proc.exitCode !== null);
      if (dead) throw new Error(`Patroni on ${dead.name} exited (${dead.proc!.exitCode}) while waiting for ${what}\n${this.logs()}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; members: ${JSON.stringify(await this.members())}\n${this.logs()}`);
      await sleep(250);
    }
  }

  /** The tail of each node's Patroni log, for a failure message. */
  logs(): string {
    return this.nodes
      .map((n) => {
        const file = join(n.dir, 'patroni.log');
        if (!existsSync(file)) return '';
        const lines = readFileSync(file, 'utf8').split('\n');
        const errors = lines.filter((l) => /ERROR|FATAL|CRITICAL/.test(l)).slice(0, 10);
        return `--- ${n.name}\n${[...errors, '...', ...lines.slice(-10)].join('\n')}`;
      })
      .join('\n');
  }

  /** Stops Patroni (which stops PostgreSQL) and etcd, kills what is left, removes the files. */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => stopProcess(n.proc, 20_000)));
    for (const node of this.nodes) {
      // A postmaster Patroni could not stop (Patroni itself killed) is killed here.
      try {
        const pid = Number(readFileSync(join(node.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // not running
      }
    }
    await stopProcess(this.etcd, 5000);
    // NEBULA_KEEP_PATRONI=1 keeps the files (logs) of a failed run.
    if (!process.env.NEBULA_KEEP_PATRONI) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
async function stopProcess(proc: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

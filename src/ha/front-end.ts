/**
 * This oned as one of several front-ends of a zone sharing one PostgreSQL database. Exactly one
 * leads (the Elector); the leader runs the managers, drivers, monitoring, hooks and the
 * scheduler, and its writes are fenced by its epoch. Followers serve reads from memory kept
 * current by the change feed (triggers on every pool table, pg NOTIFY, the same machinery as a
 * federation slave), and forward every other call to the leader, answering once the leader's
 * write is visible here.
 */
import type { Logger } from '../common/log.js';
import type { DbConfig } from '../db/database.js';
import type { MeteredDatabase } from '../db/index.js';
import { ErrorCode } from '../common/error-code.js';
import type { XmlRpcValue } from '../rpc/xmlrpc/index.js';
import { ChangeFeed, connectLocal, Forwarder, installTriggers, type TableReload } from '../zone/federation/index.js';
import type { HaConfig } from './config.js';
import { Elector, RaftState, type RaftStateValue } from './elector.js';
import { fenceStatement, SETUP_KEY } from './leader-lock.js';
import { runRaftHook } from './raft-hook.js';
import type { HookCommand } from './config.js';

/** Calls a follower answers itself from memory: reads, and calls about this server. */
const READ_METHODS = /\.(info|infoextended|infoset|monitoring|accounting|showback|raftstatus|version|config)$/;

/** Whether a follower forwards `method` to the leader (every call that may write). */
export function forwardedToLeader(method: string): boolean {
  return !READ_METHODS.test(method);
}

export interface RaftStatus {
  readonly serverId: number;
  readonly state: RaftStateValue;
  readonly leaderId: number;
  readonly term: number;
}

export interface FrontEndOptions {
  readonly config: HaConfig;
  readonly dbConfig: DbConfig;
  readonly database: MeteredDatabase;
  readonly log: Logger;
  /** Every pool table a follower keeps in memory, and how it reloads a row (or the table). */
  readonly tables: ReadonlyMap<string, TableReload>;
  /** This server's advertised endpoint (its SERVER_POOL entry, else where it listens). */
  readonly endpoint: () => string;
  /** Makes this oned the leader: state fresh from the database, managers started, reconciliation. */
  readonly promote: () => Promise<void>;
  /** The leader lost its lock: it is fenced; the oned stops (a service manager starts it again as a follower). */
  readonly lost: (reason: string) => void;
}

export class HaFrontEnd {
  private readonly feed: ChangeFeed;
  private readonly elector: Elector;
  private readonly forwarder = new Forwarder();
  /** Hook runs so far (tests and `onezone show` read them through the log). */
  private hookRuns: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: FrontEndOptions) {
    this.feed = new ChangeFeed(o.log, 'HA follower');
    for (const [table, reload] of o.tables) this.feed.register(table, reload);
    this.elector = new Elector({
      serverId: o.config.serverId,
      endpoint: o.endpoint,
      intervalMs: o.config.electionMs,
      connect: () => connectLocal(o.dbConfig),
      log: (level, m) => o.log[level]('RCM', m),
      onLeader: (epoch) => this.becomeLeader(epoch),
      onFollower: () => this.hook(this.o.config.followerHook, 'follower'),
      onLost: (reason) => {
        // Nothing more is written by this oned, whatever the database says now.
        o.database.fence = fenceStatement(-1);
        // Its managers still run: it must not lead again in this process (it restarts as a follower).
        void this.elector.stop();
        this.hook(this.o.config.followerHook, 'follower');
        o.lost(reason);
      },
    });
  }

  get isLeader(): boolean {
    return this.elector.state === RaftState.LEADER;
  }

  status(): RaftStatus {
    const leader = this.elector.leader;
    const state = this.elector.state;
    return { serverId: this.o.config.serverId, state, leaderId: state === RaftState.CANDIDATE && !leader.held ? -1 : leader.serverId, term: this.elector.epoch };
  }

  /** Installs the triggers, follows the database, and takes part in elections. */
  async start(): Promise<void> {
    const client = await connectLocal(this.o.dbConfig);
    try {
      // Front-ends starting together would replace each other's triggers at once.
      await client.query('SELECT pg_advisory_lock($1)', [SETUP_KEY]);
      await installTriggers(client, this.feed.tables);
    } finally {
      await client.end().catch(() => {});
    }
    await this.feed.listen(this.o.dbConfig);
    await this.elector.start();
  }

  private async becomeLeader(epoch: number): Promise<void> {
    // Every change the former leader committed is announced by now (the epoch claim waited for them).
    await this.feed.stop();
    this.o.database.fence = fenceStatement(epoch);
    await this.o.promote();
    this.hook(this.o.config.leaderHook, 'leader');
  }

  private hook(hook: HookCommand | undefined, what: string): void {
    if (!hook) return;
    this.hookRuns = this.hookRuns.then(async () => {
      const r = await runRaftHook(hook);
      const line = `RAFT_${what.toUpperCase()}_HOOK ${hook.command} ${hook.args.join(' ')}: ${r.ok ? 'done' : `failed (exit ${r.code ?? '?'})`}${r.output ? `: ${r.output.replace(/\s+/g, ' ').slice(0, 400)}` : ''}`;
      if (r.ok) this.o.log.info('RCM', line);
      else this.o.log.error('RCM', line);
    });
  }

  /** For the Request Manager: a follower forwards every call that may write. */
  forwards(method: string): boolean {
    return !this.isLeader && forwardedToLeader(method);
  }

  /** Forwards a call to the leader; a successful one answers once its changes are in memory here. */
  async call(method: string, params: readonly XmlRpcValue[]): Promise<XmlRpcValue> {
    const leader = this.elector.leader;
    if (!leader.held || leader.endpoint === '') {
      const last = leader.endpoint ? ` (the last leader was server ${leader.serverId} at ${leader.endpoint})` : '';
      return [false, `[${method}] Cannot process request: this server (${this.o.config.serverId}) is a follower and the zone has no leader now${last}; retry in a few seconds.`, ErrorCode.INTERNAL, -1, -1n];
    }
    const answer = await this.forwarder.call(
      leader.endpoint,
      method,
      params,
      (why) => `Cannot process request: could not forward it to the leader, server ${leader.serverId} at ${leader.endpoint} (${why}); retry in a few seconds.`,
    );
    if (Array.isArray(answer) && answer[0] === true) await this.feed.sync();
    return answer;
  }

  /** Waits until the hooks started so far have finished (tests, stop). */
  hooksSettled(): Promise<unknown> {
    return this.hookRuns;
  }

  async stop(): Promise<void> {
    await this.elector.stop();
    await this.feed.stop();
    this.forwarder.close();
    await this.hookRuns;
  }
}


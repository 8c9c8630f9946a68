/**
 * Leader election among the front-ends of a zone (see leader-lock.ts for the SQL): every
 * ELECTION period a front-end that is not the leader tries the lock; the one that gets it claims
 * a new epoch and becomes the leader. A leader checks its lock session as often; when the session
 * is gone, it has lost the lead (another front-end may hold the lock already) and must stop
 * writing at once.
 */
import type pg from 'pg';
import { claimEpoch, readLeader, setupLeaderTable, tryLock, type LeaderRecord } from './leader-lock.js';

/** OpenNebula's Raft states, as one.zone.raftstatus numbers them. */
export const RaftState = { SOLO: 0, CANDIDATE: 1, FOLLOWER: 2, LEADER: 3 } as const;
export type RaftStateValue = (typeof RaftState)[keyof typeof RaftState];

export interface ElectorOptions {
  readonly serverId: number;
  /** The endpoint followers forward writes to while this server leads. */
  readonly endpoint: () => string;
  readonly intervalMs: number;
  /** A new connection to the zone's database (the lock lives on its session). */
  readonly connect: () => Promise<pg.Client>;
  /** This server got the lock (epoch claimed); the elector waits for it before checking again. */
  readonly onLeader: (epoch: number) => Promise<void>;
  /** This server is a follower now (first time, and after each change of leader it sees). */
  readonly onFollower?: (leader: LeaderRecord) => void;
  /** The leader lost its lock session: it must stop writing. */
  readonly onLost: (reason: string) => void;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class Elector {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stateValue: RaftStateValue = RaftState.CANDIDATE;
  private epochValue = 0;
  private leaderValue: LeaderRecord = { epoch: 0, serverId: -1, endpoint: '', held: false };
  private lastFollowed = '';
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly o: ElectorOptions) {}

  get state(): RaftStateValue {
    return this.stateValue;
  }
  /** The leader's epoch (this server's own while it leads). */
  get epoch(): number {
    return this.stateValue === RaftState.LEADER ? this.epochValue : this.leaderValue.epoch;
  }
  /** The leader as last seen (this server while it leads). */
  get leader(): LeaderRecord {
    if (this.stateValue === RaftState.LEADER) return { epoch: this.epochValue, serverId: this.o.serverId, endpoint: this.o.endpoint(), held: true };
    return this.leaderValue;
  }

  /** Tries once now, then every interval until stop(). */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  /** Set once this server lost the lead: it follows from then on. */
  private lostLead = false;

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.o.intervalMs);
  }

  /** One election step; errors (database away) leave this server a candidate until the next. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.stateValue === RaftState.LEADER) {
        await this.client!.query('SELECT 1');
        return;
      }
      const client = await this.connection();
      // A server that lost the lead never takes it again: its managers may still hold state of
      // the old epoch (oned exits on onLost, to be started again as a follower).
      if (!this.lostLead && (await tryLock(client))) {
        this.epochValue = await claimEpoch(client, this.o.serverId, this.o.endpoint());
        this.o.log('info', `Took the leader lock (server ${this.o.serverId}, epoch ${this.epochValue}): becoming the leader`);
        // Until onLeader is done (state loaded, managers started), calls still go to the former leader's endpoint and fail there.
        try {
          await this.o.onLeader(this.epochValue);
        } finally {
          // A promotion that failed half-way is lost at once (fenced, see onLost).
          this.stateValue = RaftState.LEADER;
        }
        this.o.log('info', `Leader of epoch ${this.epochValue}`);
        return;
      }
      this.leaderValue = await readLeader(client);
      this.stateValue = this.leaderValue.held ? RaftState.FOLLOWER : RaftState.CANDIDATE;
      const key = `${this.leaderValue.epoch}`;
      if (this.stateValue === RaftState.FOLLOWER && key !== this.lastFollowed) {
        this.lastFollowed = key;
        this.o.log('info', `Following server ${this.leaderValue.serverId} (${this.leaderValue.endpoint}), epoch ${this.leaderValue.epoch}`);
        this.o.onFollower?.(this.leaderValue);
      }
    } catch (err) {
      this.dropConnection();
      if (this.stateValue === RaftState.LEADER) {
        this.lose(`${(err as Error).message} (its lock session, or its promotion, failed)`);
        return;
      }
      this.stateValue = RaftState.CANDIDATE;
      this.o.log('warn', `Leader election: cannot reach the database (${(err as Error).message}); trying again`);
    }
  }

  private lose(reason: string): void {
    if (this.stateValue !== RaftState.LEADER) return;
    this.lostLead = true;
    this.stateValue = RaftState.CANDIDATE;
    this.o.log('error', `Lost the lead: ${reason}`);
    this.o.onLost(reason);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = await this.o.connect();
    client.on('error', () => {});
    // A leader's lock goes with its session: losing the session is losing the lead.
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.lose('its database session (which held the leader lock) ended');
    });
    try {
      await setupLeaderTable(client);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    return client;
  }

  private dropConnection(): void {
    const c = this.client;
    this.client = undefined;
    void c?.end().catch(() => {});
  }

  /** Stops trying; a leader's lock is released with its session. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking.catch(() => {});
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}

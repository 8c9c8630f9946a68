/**
 * A write load for the database fault tests: clients that create documents and bump a SEQ in
 * the documents they made, recording every write oned acknowledged (and when), every write it
 * refused (and why), and afterwards checking that each acknowledged write is in the database
 * (read directly) and in what a (restarted) oned lists.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { childInt, childText, parseXmlTree, child } from '../../src/common/xml-tree.js';
import { XmlRpcClient, type XmlRpcValue } from '../../src/rpc/xmlrpc/index.js';
import type { Oned } from './harness.js';

/** The document type the load's documents have. */
const DOC_TYPE = 9;

export interface Ack {
  /** When the call was sent and answered (Date.now()). */
  readonly sentAt: number;
  readonly ackAt: number;
}

export class WriteLoad {
  /** Acknowledged documents: name → id. */
  readonly docs = new Map<string, number>();
  /** Highest SEQ sent to a document, acknowledged or not... */
  readonly seqSent = new Map<number, number>();
  /** ...and the highest acknowledged. */
  readonly seqAcked = new Map<number, number>();
  readonly acks: Ack[] = [];
  /** Messages of the calls oned answered with a failure. */
  readonly failures: string[] = [];
  /** Calls that got no answer at all (oned gone, or the client's 120 s timeout). */
  readonly transportErrors: string[] = [];
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(
    private readonly oned: Oned,
    private readonly clients = 4,
    /** A prefix that keeps names unique across loads on one database. */
    private readonly prefix = 'w',
  ) {}

  start(): void {
    this.#running = true;
    this.#loops = Array.from({ length: this.clients }, (_, c) => this.#loop(c));
  }

  /** Stops the clients after their current call; resolves once they have stopped. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** Resolves with the first acknowledgement of a call sent at or after `t` (waits up to `timeoutMs`). */
  async firstAckSentAfter(t: number, timeoutMs = 120_000): Promise<Ack> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const ack = this.acks.find((a) => a.sentAt >= t);
      if (ack) return ack;
      if (Date.now() > end) throw new Error(`no write acknowledged within ${timeoutMs} ms of ${new Date(t).toISOString()}; failures: ${this.failures.slice(-3).join(' | ')}`);
      await sleep(20);
    }
  }

  /**
   * When writes resumed after a fault at `t`: the end of the longest pause between
   * acknowledgements from `t` on. (Right after a primary's postmaster is killed its backends may
   * still commit a write or two, replicated to the standby, before they notice: the first
   * acknowledgement after `t` is not yet the new primary's.)
   */
  resumedAfter(t: number): number {
    const times = this.acks.map((a) => a.ackAt).filter((x) => x >= t).sort((a, b) => a - b);
    let prev = t;
    let longest = -1;
    let resumed = t;
    for (const x of times) {
      if (x - prev > longest) {
        longest = x - prev;
        resumed = x;
      }
      prev = x;
    }
    return resumed;
  }

  async #loop(c: number): Promise<void> {
    const client = new XmlRpcClient(this.oned.endpoint, { timeoutMs: 120_000 });
    const mine: number[] = [];
    try {
      for (let n = 0; this.#running; n++) {
        const name = `${this.prefix}${c}_${n}`;
        const id = await this.#call(client, 'one.document.allocate', [`NAME = "${name}"\nSEQ = 0`, DOC_TYPE]);
        if (id !== undefined) {
          this.docs.set(name, id as number);
          mine.push(id as number);
        }
        if (mine.length === 0) continue;
        const target = mine[n % mine.length]!;
        const seq = (this.seqSent.get(target) ?? 0) + 1;
        this.seqSent.set(target, seq);
        if ((await this.#call(client, 'one.document.update', [target, `SEQ = ${seq}`, 1])) !== undefined) this.seqAcked.set(target, seq);
      }
    } finally {
      client.close();
    }
  }

  /** The call's value if acknowledged; undefined if oned answered with a failure or not at all. */
  async #call(client: XmlRpcClient, method: string, params: XmlRpcValue[]): Promise<XmlRpcValue | undefined> {
    const sentAt = Date.now();
    let r: XmlRpcValue[];
    try {
      r = (await client.call(method, [this.oned.oneadmin, ...params])) as XmlRpcValue[];
    } catch (error) {
      this.transportErrors.push(`${method}: ${(error as Error).message}`);
      await sleep(200);
      return undefined;
    }
    if (r[0] !== true) {
      this.failures.push(`${method}: ${String(r[1])}`);
      await sleep(100);
      return undefined;
    }
    this.acks.push({ sentAt, ackAt: Date.now() });
    return r[1];
  }

  /** Every acknowledged document, with its id, and a SEQ between the acknowledged and the last sent. */
  check(found: ReadonlyMap<string, { id: number; seq: number }>, where: string): void {
    assert.ok(this.docs.size > 0, 'the load had writes acknowledged');
    for (const [name, id] of this.docs) {
      const doc = found.get(name);
      assert.ok(doc, `${where}: acknowledged document ${name} (#${id}) is missing`);
      assert.equal(doc.id, id, `${where}: document ${name} has another id`);
      const acked = this.seqAcked.get(id) ?? 0;
      const sent = this.seqSent.get(id) ?? 0;
      assert.ok(doc.seq >= acked && doc.seq <= sent, `${where}: document ${name} has SEQ ${doc.seq}, acknowledged ${acked}, last sent ${sent}`);
    }
  }

  /** Checks the rows of document_pool, read with `query` (straight from the database). */
  async checkDatabase(query: (sql: string) => Promise<pg.QueryResult>): Promise<void> {
    const rows = (await query('SELECT oid, name, body FROM document_pool')).rows as { oid: number; name: string; body: string }[];
    const found = new Map<string, { id: number; seq: number }>();
    for (const row of rows) {
      const seq = /<SEQ><!\[CDATA\[(\d+)\]\]><\/SEQ>|<SEQ>(\d+)<\/SEQ>/.exec(row.body);
      found.set(row.name, { id: Number(row.oid), seq: Number(seq?.[1] ?? seq?.[2] ?? -1) });
    }
    this.check(found, 'in the database');
  }

  /** Checks what oned lists. */
  async checkOned(oned: Oned, where: string): Promise<void> {
    const pool = parseXmlTree(String(await oned.ok('one.documentpool.info', [-2, -1, -1, DOC_TYPE])));
    const found = new Map<string, { id: number; seq: number }>();
    for (const d of pool.children.filter((x) => x.name === 'DOCUMENT')) {
      found.set(childText(d, 'NAME'), { id: childInt(d, 'ID', -1), seq: Number(childText(child(d, 'TEMPLATE')!, 'SEQ') || -1) });
    }
    this.check(found, where);
  }
}

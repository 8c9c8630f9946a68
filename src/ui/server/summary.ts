/**
 * `GET /api/summary`: what the dashboard shows (capacity, VMs and hosts by state, recent
 * failures), counted on the server from the rows the pool watchers already hold. 20,000 VMs are
 * one pass over small records, never a second read of oned's XML, and the browser receives a
 * few numbers instead of the listing. `?part=vm` or `?part=host` computes one half (the app
 * refreshes each half when its pool changes).
 */
import type { Hono } from 'hono';
import { OneConnectionError } from '../../oca/errors.js';
import { HttpError } from './errors.js';
import type { PoolHub } from './events.js';
import type { Row } from './pool-kinds.js';
import type { PoolWatcher } from './pool-watcher.js';
import type { Session } from './sessions.js';

/** LCM states a person must look at: UNKNOWN (16), FAILURE (14) and every *_FAILURE. */
const BAD_LCM = new Set([14, 16, 36, 37, 38, 39, 40, 41, 42, 44, 46, 47, 48, 49, 50, 61]);
/** VM states that are failures on their own: FAILED (7), CLONING_FAILURE (11). */
const BAD_STATE = new Set([7, 11]);
/** Host states that are failures: ERROR (3), MONITORING_ERROR (5). */
const BAD_HOST = new Set([3, 5]);
/** How many failures the dashboard lists (the newest). */
const FAILURES = 20;

export interface VmSummary {
  total: number;
  /** Count by the state a person reads: `STATE` or, while ACTIVE (3), `3.<LCM_STATE>`. */
  byState: Record<string, number>;
  failures: { ID: number; NAME: string; STATE: number; LCM_STATE: number; HOST: string }[];
}

export interface HostSummary {
  total: number;
  byState: Record<string, number>;
  capacity: { cpuUsage: number; maxCpu: number; memUsage: number; maxMem: number };
  failures: { ID: number; NAME: string; STATE: number }[];
}

/** Every row of a watcher's current listing, in the pages `select` gives (at most 1,000 each). */
async function allRows(w: PoolWatcher): Promise<Row[]> {
  const first = await w.page({ offset: 0, limit: 1000 }, 1000);
  const rows = [...first.rows];
  while (rows.length < first.total) {
    const next = w.select({ offset: rows.length, limit: 1000 });
    // A poll between two pages changed the listing: start again on the new one.
    if (next.version !== first.version) return allRows(w);
    if (next.rows.length === 0) break;
    rows.push(...next.rows);
  }
  return rows;
}

export function summarizeVms(rows: Row[]): VmSummary {
  const byState: Record<string, number> = {};
  const failures: VmSummary['failures'] = [];
  for (const r of rows) {
    const state = Number(r.STATE);
    const lcm = Number(r.LCM_STATE);
    const key = state === 3 ? `3.${lcm}` : String(state);
    byState[key] = (byState[key] ?? 0) + 1;
    if (BAD_STATE.has(state) || (state === 3 && BAD_LCM.has(lcm))) {
      failures.push({ ID: Number(r.ID), NAME: String(r.NAME), STATE: state, LCM_STATE: lcm, HOST: String(r.HOST ?? '') });
    }
  }
  failures.sort((a, b) => b.ID - a.ID);
  return { total: rows.length, byState, failures: failures.slice(0, FAILURES) };
}

export function summarizeHosts(rows: Row[]): HostSummary {
  const byState: Record<string, number> = {};
  const capacity = { cpuUsage: 0, maxCpu: 0, memUsage: 0, maxMem: 0 };
  const failures: HostSummary['failures'] = [];
  for (const r of rows) {
    const state = Number(r.STATE);
    byState[state] = (byState[state] ?? 0) + 1;
    capacity.cpuUsage += Number(r.CPU_USAGE) || 0;
    capacity.maxCpu += Number(r.MAX_CPU) || 0;
    capacity.memUsage += Number(r.MEM_USAGE) || 0;
    capacity.maxMem += Number(r.MAX_MEM) || 0;
    if (BAD_HOST.has(state)) failures.push({ ID: Number(r.ID), NAME: String(r.NAME), STATE: state });
  }
  return { total: rows.length, byState, capacity, failures: failures.slice(0, FAILURES) };
}

/** The last summary of each watcher, by its listing's version: dashboards of many windows count once per change. */
const summaries = new WeakMap<PoolWatcher, { version: number; value: unknown }>();

async function summaryOf<T>(w: PoolWatcher, make: (rows: Row[]) => T): Promise<T> {
  const { version } = await w.page({ offset: 0, limit: 1 }, 1000);
  const hit = summaries.get(w);
  if (hit?.version === version) return hit.value as T;
  const rows = await allRows(w);
  const value = make(rows);
  summaries.set(w, { version: w.version, value });
  return value;
}

export function registerSummary(app: Hono<{ Variables: { session: Session } }>, hub: PoolHub): void {
  app.get('/api/summary', async (c) => {
    const s = c.get('session');
    const part = c.req.query('part') ?? 'all';
    if (!['all', 'vm', 'host'].includes(part)) throw new HttpError(400, 'part is vm, host or all');
    const out: { vm?: VmSummary; host?: HostSummary } = {};
    try {
      if (part !== 'host') out.vm = await summaryOf(hub.watcher(s, 'vm')!, summarizeVms);
      if (part !== 'vm') out.host = await summaryOf(hub.watcher(s, 'host')!, summarizeHosts);
      hub.setOned(true);
    } catch (err) {
      if (err instanceof OneConnectionError) hub.setOned(false);
      throw err;
    }
    return c.json(out);
  });
}

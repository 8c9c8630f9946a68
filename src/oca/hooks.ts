/**
 * Hooks in the client library (`one.hook.*`, `one.hookpool.info`, `one.hooklog.info`): info
 * (with the hook's HOOKLOG), update, rename, delete, lock, unlock, list, and allocate, retry and
 * the execution log. Objects are OneObject: `get('TYPE')`, `get('TEMPLATE/CALL')`...
 */
import { OneObject, parsePool } from './objects.js';
import { NamedResource } from './resources.js';

/** `rc` filter of one.hooklog.info. */
export const HookLogResult = { FAILED: -1, ALL: 0, SUCCEEDED: 1 } as const;

export interface HookLogQuery {
  /** Only runs after this time (epoch seconds); -1 no bound. */
  readonly since?: number;
  /** Only runs before this time; -1 no bound. */
  readonly until?: number;
  /** Only the runs of this hook; -1 every hook. */
  readonly hookId?: number;
  readonly result?: (typeof HookLogResult)[keyof typeof HookLogResult];
}

export class HookResource extends NamedResource<OneObject> {
  /** A hook from a template (NAME, TYPE = api|state, COMMAND, ARGUMENTS, CALL or RESOURCE/ON/STATE...). */
  allocate(template: string): Promise<number> {
    return this.id('one.hook.allocate', template);
  }
  /** Level 1 use, 2 manage, 3 admin, 4 all. */
  lock(id: number, level = 1, test = false): Promise<number> {
    return this.id('one.hook.lock', id, level, test);
  }
  unlock(id: number): Promise<number> {
    return this.id('one.hook.unlock', id);
  }
  /** Runs execution `executionId` of the hook again, with the same arguments. */
  retry(id: number, executionId: number): Promise<number> {
    return this.id('one.hook.retry', id, executionId);
  }
  /** The `<HOOKLOG>` of one.hooklog.info (oneadmin group only). */
  async logXml(q: HookLogQuery = {}): Promise<string> {
    return String(await this.client.call('one.hooklog.info', q.since ?? -1, q.until ?? -1, q.hookId ?? -1, q.result ?? HookLogResult.ALL));
  }
  /** The log's execution records (HOOK_ID, EXECUTION_ID, TIMESTAMP, ARGUMENTS, EXECUTION_RESULT...). */
  async log(q: HookLogQuery = {}): Promise<OneObject[]> {
    return parsePool(OneObject, 'HOOK_EXECUTION_RECORD', await this.logXml(q));
  }
}

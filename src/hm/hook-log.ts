/**
 * The execution log of hook objects (table `hook_log`): one `<HOOK_EXECUTION_RECORD>` per run
 * (HOOK_ID, EXECUTION_ID, TIMESTAMP, ARGUMENTS, EXECUTION_RESULT(COMMAND, STDOUT, STDERR, CODE),
 * REMOTE_HOST?, RETRY?), its return code in `rc`. Each hook keeps its last LOG_RETENTION runs
 * (oned.conf `HOOK_LOG_CONF`, default 20), so the whole log is small and held in memory too:
 * one.hook.info and one.hooklog.info never query the database.
 */
import { xmlElement } from '../common/xml.js';
import type { Database } from '../db/database.js';
import { splitArguments } from '../mad/index.js';

/** One stored run. */
export interface HookExecution {
  readonly hookId: number;
  readonly executionId: number;
  readonly timestamp: number;
  readonly rc: number;
  /** `<HOOK_EXECUTION_RECORD>` XML. */
  readonly body: string;
  /** The argv the command got (for retry). */
  readonly args: readonly string[];
  readonly remoteHost?: string;
}

/** What a run reports. */
export interface HookRun {
  readonly args: readonly string[];
  /** `<EXECUTION_RESULT>` XML as the hook driver answers it. */
  readonly resultXml: string;
  readonly rc: number;
  readonly remoteHost?: string;
  readonly retry?: boolean;
}

/** one.hooklog.info filters: -1 leaves a bound out; rc -1 failed runs only, 1 successful only, 0 all. */
export interface HookLogFilter {
  readonly minTs: number;
  readonly maxTs: number;
  readonly hookId: number;
  readonly rc: number;
}

/** Words joined so that splitArguments gives them back (quoted when they hold blanks or quotes). */
export function joinArguments(args: readonly string[]): string {
  return args.map((a) => (a !== '' && !/[\s'"\\]/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

function parseRecordArgs(body: string): string[] {
  const m = /<ARGUMENTS>([\s\S]*?)<\/ARGUMENTS>/.exec(body);
  const text = (m?.[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  try {
    return splitArguments(text);
  } catch {
    return text.split(/\s+/).filter((w) => w !== '');
  }
}

export class HookLog {
  private readonly byHook = new Map<number, HookExecution[]>();
  private readonly lastId = new Map<number, number>();

  constructor(
    private readonly db: Database,
    readonly retention = 20,
  ) {}

  /** Reads the stored runs; those of hooks that no longer exist (`exists` false: deleted while running) are left out. */
  async load(exists: (hookId: number) => boolean = () => true): Promise<void> {
    const rows = await this.db.query('SELECT hkid, exeid, timestamp, rc, body FROM hook_log ORDER BY hkid, exeid');
    for (const r of rows) {
      if (!exists(Number(r.hkid))) continue;
      const body = String(r.body);
      const host = /<REMOTE_HOST>([^<]*)<\/REMOTE_HOST>/.exec(body)?.[1];
      this.keep({ hookId: Number(r.hkid), executionId: Number(r.exeid), timestamp: Number(r.timestamp), rc: Number(r.rc), body, args: parseRecordArgs(body), remoteHost: host || undefined });
    }
  }

  /** The runs of a hook, oldest first. */
  executions(hookId: number): readonly HookExecution[] {
    return this.byHook.get(hookId) ?? [];
  }

  get(hookId: number, executionId: number): HookExecution | undefined {
    return this.executions(hookId).find((e) => e.executionId === executionId);
  }

  /** `<HOOKLOG>` of one hook, as one.hook.info shows it. */
  hookXml(hookId: number): string {
    return `<HOOKLOG>${this.executions(hookId).map((e) => e.body).join('')}</HOOKLOG>`;
  }

  /** `<HOOKLOG>` of one.hooklog.info: newest hook first, each hook's runs oldest first. */
  filteredXml(f: HookLogFilter): string {
    const ids = (f.hookId >= 0 ? [f.hookId] : [...this.byHook.keys()]).sort((a, b) => b - a);
    let xml = '<HOOKLOG>';
    for (const id of ids) {
      for (const e of this.executions(id)) {
        if (f.minTs >= 0 && !(e.timestamp > f.minTs)) continue;
        if (f.maxTs >= 0 && !(e.timestamp < f.maxTs)) continue;
        if (f.rc === -1 && e.rc === 0) continue;
        if (f.rc === 1 && e.rc !== 0) continue;
        xml += e.body;
      }
    }
    return `${xml}</HOOKLOG>`;
  }

  /** Stores a run, dropping the hook's runs beyond the retention. */
  async add(hookId: number, run: HookRun): Promise<HookExecution> {
    const executionId = (this.lastId.get(hookId) ?? -1) + 1;
    this.lastId.set(hookId, executionId);
    const timestamp = Math.floor(Date.now() / 1000);
    const body =
      `<HOOK_EXECUTION_RECORD><HOOK_ID>${hookId}</HOOK_ID><EXECUTION_ID>${executionId}</EXECUTION_ID><TIMESTAMP>${timestamp}</TIMESTAMP>` +
      `${xmlElement('ARGUMENTS', joinArguments(run.args))}${run.resultXml}` +
      `${run.remoteHost ? xmlElement('REMOTE_HOST', run.remoteHost) : ''}${run.retry ? '<RETRY>YES</RETRY>' : ''}</HOOK_EXECUTION_RECORD>`;
    const e: HookExecution = { hookId, executionId, timestamp, rc: run.rc, body, args: run.args, remoteHost: run.remoteHost };
    await this.db.write([
      { kind: 'upsert', table: 'hook_log', row: { hkid: hookId, exeid: executionId, timestamp, rc: run.rc, body } },
      { kind: 'delete', table: 'hook_log', where: { hkid: hookId }, below: { exeid: executionId - this.retention + 1 } },
    ]);
    this.keep(e);
    return e;
  }

  /** Forgets a deleted hook's runs (their rows go with the hook's). */
  forget(hookId: number): void {
    this.byHook.delete(hookId);
  }

  private keep(e: HookExecution): void {
    let list = this.byHook.get(e.hookId);
    if (!list) this.byHook.set(e.hookId, (list = []));
    list.push(e);
    if (list.length > this.retention) list.splice(0, list.length - this.retention);
    if (e.executionId > (this.lastId.get(e.hookId) ?? -1)) this.lastId.set(e.hookId, e.executionId);
  }
}

/**
 * Scripted outcomes for the dummy drivers, as OpenNebula's dummy VMM reads them: with an actions
 * directory (`-a <dir>`), the file `<dir>/<action>` (lower-case protocol action name, e.g.
 * `deploy`, `attachdisk`, `monitor`) lists outcomes one per line, used in turn and then
 * cyclically:
 *
 *     success [seconds]   (or 1) succeed, after an optional delay
 *     failure [seconds]   (or 0) fail
 *     -                   never answer (the request times out)
 *
 * Without the file, or without `-a`, every action succeeds at once. The file is read on each
 * request, so a test can change the outcome of the next action while the driver runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionHandler, ActionOutcome } from '../server/driver-server.js';
import type { Request } from '../protocol.js';

export interface Scripted {
  readonly outcome: 'success' | 'failure' | 'none';
  readonly delayMs: number;
}

const SUCCESS: Scripted = { outcome: 'success', delayMs: 0 };

export class ScriptedResults {
  private readonly counters = new Map<string, number>();

  constructor(private readonly dir?: string) {}

  /** The outcome of the next request of `action`. */
  next(action: string): Scripted {
    if (this.dir === undefined) return SUCCESS;
    let text: string;
    try {
      text = readFileSync(join(this.dir, action.toLowerCase()), 'utf8');
    } catch {
      return SUCCESS;
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) return SUCCESS;
    const n = this.counters.get(action) ?? 0;
    this.counters.set(action, n + 1);
    const [word, seconds] = lines[n % lines.length]!.trim().split(/\s+/);
    const delayMs = Math.max(0, Number(seconds) || 0) * 1000;
    if (word === 'failure' || word === '0') return { outcome: 'failure', delayMs };
    if (word === '-') return { outcome: 'none', delayMs: 0 };
    return { outcome: 'success', delayMs };
  }

  /**
   * A handler answering `answer(request)` as scripted: on failure the info says so; with a delay
   * the answer comes later (or a failure when cancelled meanwhile); `-` sends nothing.
   */
  handler(answer: (req: Request) => string): ActionHandler {
    return (req, ctx) => {
      const s = this.next(req.action);
      if (s.outcome === 'none') return null;
      const outcome: ActionOutcome =
        s.outcome === 'success' ? { ok: true, info: answer(req) } : { ok: false, info: `Scripted failure of ${req.action}` };
      if (s.delayMs === 0) return outcome;
      // The wait ends when the action is cancelled or the driver shuts down (oned gone), so a
      // long scripted delay never keeps the driver process alive after oned.
      return sleep(s.delayMs, undefined, { signal: ctx.signal }).then(
        () => outcome,
        () => ({ ok: false, info: `${req.action} cancelled` }),
      );
    };
  }
}

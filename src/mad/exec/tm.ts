/**
 * Transfer manager runner (`one_tm`): `TRANSFER <vm_id> <transfer_file>`. Each line of the file
 * (`CLONE shared fe:/src host:/dir/disk.0 12 100`) runs `remotes/tm/<tm_mad>/<command>` on the
 * front-end with the rest of the line as arguments; the first failing line fails the transfer.
 * `CMD.<system_tm>` runs `cmd.<system_tm>` when the driver has it, else `cmd`. The `dummy`
 * transfer driver is built in: its commands succeed without running anything.
 */
import { readFile } from 'node:fs/promises';
import type { ActionContext, ActionHandler } from '../server/driver-server.js';
import type { ScriptResult, ScriptRunner } from './script-runner.js';

/** Built-in transfer driver: every command succeeds at once. */
export const DUMMY_TM = 'dummy';

/** Driver and command names become path components: keep them to plain names. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class TransferRunner {
  /**
   * @param types transfer drivers this runner may use (`-d`); undefined: any in the remotes tree.
   */
  constructor(
    private readonly runner: ScriptRunner,
    private readonly types?: ReadonlySet<string>,
  ) {}

  /** Runs one transfer command given as its fields (`CLONE shared src dst 12 100`). */
  async runCommand(fields: readonly string[], ctx: ActionContext, stdin?: string): Promise<ScriptResult> {
    const [command, tm, ...args] = fields;
    if (!command || !tm || !NAME.test(command) || !NAME.test(tm)) {
      return failed(`Malformed transfer command: ${fields.join(' ')}`);
    }
    if (this.types && !this.types.has(tm)) return failed(`Transfer Driver '${tm}' not available`);
    if (tm === DUMMY_TM) return { ok: true, stdout: '', info: '' };
    const name = command.toLowerCase();
    let script = `tm/${tm}/${name}`;
    if (!this.runner.has(script)) {
      const dot = name.indexOf('.');
      const base = dot === -1 ? undefined : `tm/${tm}/${name.slice(0, dot)}`;
      if (!base || !this.runner.has(base)) return failed(`Transfer driver '${tm}' has no script for ${command}`);
      script = base;
    }
    return this.runner.run({ script, args, stdin }, ctx);
  }

  /** Runs every command of a transfer file, stopping at the first failure. */
  async runFile(path: string, ctx: ActionContext): Promise<ScriptResult> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return failed(`Transfer file '${path}' does not exist`);
    }
    return this.runLines(text, ctx);
  }

  /** Runs commands one per line (blank lines and `#` comments skipped), stopping at the first failure. */
  async runLines(text: string, ctx: ActionContext): Promise<ScriptResult> {
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[0] === '' || fields[0]!.startsWith('#')) continue;
      const r = await this.runCommand(fields, ctx);
      if (!r.ok) return r;
    }
    return { ok: true, stdout: '', info: '' };
  }
}

/** Action table of `one_tm`. */
export function transferActions(transfer: TransferRunner): Map<string, ActionHandler> {
  return new Map<string, ActionHandler>([
    [
      'TRANSFER',
      async (req, ctx) => {
        const file = req.args[0];
        if (!file) return { ok: false, info: 'TRANSFER needs a transfer file' };
        const r = await transfer.runFile(file, ctx);
        return { ok: r.ok, info: r.ok ? '' : r.info };
      },
    ],
  ]);
}

function failed(info: string): ScriptResult {
  return { ok: false, stdout: '', info };
}

/**
 * Hook runner (`one_hm`): `EXECUTE <object_id> <base64 HOOK_DRIVER_ACTION_DATA>` runs a hook's
 * command with its arguments as argv, on the front-end or, when the data names a HOST, on that
 * host over ssh. A command with an absolute path runs as it is (front-end only); any other is
 * looked up in the remotes tree under `hooks/`, which is what gets copied to hosts.
 *
 *     <HOOK_DRIVER_ACTION_DATA>
 *       <NAME>mail</NAME> <COMMAND>notify/email</COMMAND>
 *       <ARGUMENTS><ARG>12</ARG><ARG>PD94...</ARG></ARGUMENTS>
 *       <HOST>node01</HOST>          (only for REMOTE hooks)
 *     </HOOK_DRIVER_ACTION_DATA>
 *
 * The reply carries the command's stdout (success) or its error message (failure).
 *
 * Hook objects (one.hook.*) log every execution, so their requests add `<LOG>YES</LOG>` (and
 * optionally `<STDIN>` base64 text written to the command's stdin, `<TIMEOUT>` seconds): the
 * reply is then base64 of `<EXECUTION_RESULT>` (COMMAND, STDOUT and STDERR base64, CODE), a
 * success when CODE is 0.
 */
import { isAbsolute } from 'node:path';
import type { ActionContext, ActionHandler } from '../server/driver-server.js';
import { xmlElement } from '../../common/xml.js';
import { select } from '../../common/xml-tree.js';
import { decodeActionData, text } from './action-data.js';
import { runCommand, type CommandResult } from './command.js';
import { failureMessage, parseStderr } from './script-output.js';
import type { ScriptRunner } from './script-runner.js';

/** Folder of the remotes tree that holds hook commands. */
export const HOOKS_DIR = 'hooks';

/** What one EXECUTE asks for. */
export interface HookCall {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Run on this host; undefined: on the front-end. */
  readonly host?: string;
  /** Answer the whole outcome (`<EXECUTION_RESULT>`) rather than stdout or a message. */
  readonly log?: boolean;
  /** Written to the command's stdin. */
  readonly stdin?: string;
  /** Seconds the command may run (0 or absent: the driver's `-w`). */
  readonly timeoutSec?: number;
}

/** Reads the action data of an EXECUTE request. @throws Error when it is not a hook call. */
export function decodeHookCall(base64: string | undefined): HookCall {
  const { root } = decodeActionData(base64);
  const command = text(root, 'COMMAND');
  if (command === '') throw new Error('Hook action data has no COMMAND');
  const host = text(root, 'HOST');
  const stdin = text(root, 'STDIN');
  const timeout = Number(text(root, 'TIMEOUT') || 0);
  return {
    name: text(root, 'NAME'),
    command,
    args: select(root, 'ARGUMENTS/ARG').map((n) => n.text),
    host: host === '' ? undefined : host,
    log: text(root, 'LOG').toUpperCase() === 'YES',
    stdin: stdin === '' ? undefined : Buffer.from(stdin, 'base64').toString('utf8'),
    timeoutSec: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
  };
}

/** `<EXECUTION_RESULT>` of one run: STDOUT and STDERR base64, CODE -1 when the command did not exit by itself. */
export function executionResultXml(command: string, r: CommandResult): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const why = r.spawnError ?? (r.timedOut ? 'Timeout running the hook' : r.cancelled ? 'Hook cancelled' : r.signal ? `Hook killed by ${r.signal}` : '');
  const stderr = why && !r.stderr.includes(why) ? `${r.stderr}${r.stderr && !r.stderr.endsWith('\n') ? '\n' : ''}${why}\n` : r.stderr;
  const code = r.code ?? -1;
  return `<EXECUTION_RESULT>${xmlElement('COMMAND', command)}<STDOUT>${b64(r.stdout)}</STDOUT><STDERR>${b64(stderr)}</STDERR><CODE>${r.timedOut ? -1 : code}</CODE></EXECUTION_RESULT>`;
}

/** Runs a logged hook call (`<LOG>YES</LOG>`): the reply is its `<EXECUTION_RESULT>`, base64. */
async function executeLogged(runner: ScriptRunner, call: HookCall, signal: AbortSignal, log: ActionContext['log']): Promise<{ ok: boolean; info: string }> {
  const timeoutMs = call.timeoutSec ? call.timeoutSec * 1000 : runner.options.timeoutMs;
  let r: CommandResult;
  if (isAbsolute(call.command)) {
    r = call.host !== undefined
      ? { code: null, signal: null, stdout: '', stderr: `Remote hook ${call.name}: command must be relative to ${HOOKS_DIR}/ to be copied to hosts`, timedOut: false, cancelled: false }
      : await runCommand(call.command, call.args, { stdin: call.stdin, timeoutMs, signal });
  } else {
    r = await runner.exec({ script: `${HOOKS_DIR}/${call.command}`, args: call.args, stdin: call.stdin, host: call.host }, { signal, log }, timeoutMs);
  }
  const code = r.timedOut ? -1 : (r.code ?? -1);
  return { ok: code === 0, info: Buffer.from(executionResultXml(call.command, r)).toString('base64') };
}

/** Action table of `one_hm`. */
export function hookActions(runner: ScriptRunner): Map<string, ActionHandler> {
  return new Map<string, ActionHandler>([
    [
      'EXECUTE',
      async (req, ctx) => {
        let call: HookCall;
        try {
          call = decodeHookCall(req.args[0]);
        } catch (err) {
          return { ok: false, info: (err as Error).message };
        }
        if (call.log) return executeLogged(runner, call, ctx.signal, ctx.log);
        if (isAbsolute(call.command)) {
          if (call.host !== undefined) return { ok: false, info: `Remote hook ${call.name}: command must be relative to ${HOOKS_DIR}/ to be copied to hosts` };
          const r = await runCommand(call.command, call.args, { timeoutMs: runner.options.timeoutMs, signal: ctx.signal });
          if (r.code === 0) return { ok: true, info: r.stdout.trim() };
          const status = r.spawnError ?? (r.timedOut ? 'timeout' : r.signal ? `killed by ${r.signal}` : `exit code: ${r.code}`);
          return { ok: false, info: failureMessage(parseStderr(r.stderr), r.stdout, `${call.command} failed (${status})`) };
        }
        const r = await runner.run({ script: `${HOOKS_DIR}/${call.command}`, args: call.args, host: call.host }, ctx);
        return { ok: r.ok, info: r.info };
      },
    ],
  ]);
}

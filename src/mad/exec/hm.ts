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
 */
import { isAbsolute } from 'node:path';
import type { ActionHandler } from '../server/driver-server.js';
import { select } from '../../common/xml-tree.js';
import { decodeActionData, text } from './action-data.js';
import { runCommand } from './command.js';
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
}

/** Reads the action data of an EXECUTE request. @throws Error when it is not a hook call. */
export function decodeHookCall(base64: string | undefined): HookCall {
  const { root } = decodeActionData(base64);
  const command = text(root, 'COMMAND');
  if (command === '') throw new Error('Hook action data has no COMMAND');
  const host = text(root, 'HOST');
  return {
    name: text(root, 'NAME'),
    command,
    args: select(root, 'ARGUMENTS/ARG').map((n) => n.text),
    host: host === '' ? undefined : host,
  };
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

/**
 * RAFT_LEADER_HOOK and RAFT_FOLLOWER_HOOK: a program run (argv, no shell) when this front-end
 * becomes the leader or a follower, e.g. remotes/hooks/raft/vip.sh moving the floating IP.
 * Its exit and output go to oned.log; a hook that fails does not change the election.
 */
import { execFile } from 'node:child_process';
import type { HookCommand } from './config.js';

/** How long a hook may run before it is killed. */
const HOOK_TIMEOUT_MS = 60_000;

export interface HookOutcome {
  readonly ok: boolean;
  readonly code: number | null;
  readonly output: string;
}

export function runRaftHook(hook: HookCommand, timeoutMs = HOOK_TIMEOUT_MS): Promise<HookOutcome> {
  return new Promise((resolve) => {
    execFile(hook.command, [...hook.args], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!err) return resolve({ ok: true, code: 0, output });
      const code = typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : null;
      resolve({ ok: false, code, output: output || err.message });
    });
  });
}

/**
 * Runs one program (an action script, ssh, tar) with an argv array, never through a shell, in its
 * own process group so that a timeout or a cancel kills everything it started.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';

export interface CommandOptions {
  /** Written (or piped) to the program's stdin, which is then closed. */
  readonly stdin?: string | Buffer | Readable;
  /** Kill the process group after this long; 0 or absent: no limit. */
  readonly timeoutMs?: number;
  /** Kills the process group when aborted. */
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface CommandResult {
  /** Exit code; null when killed by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the program could not be started (missing, not executable). */
  readonly spawnError?: string;
}

/** Time between SIGTERM and SIGKILL of a process group being stopped. */
const KILL_GRACE_MS = 1000;

/** Runs `file args...` and collects its output. Never rejects. */
export function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, cancelled: true });
      return;
    }
    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let cancelled = false;
    let spawnError: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // Already gone.
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      // Descendants that left the group may keep the pipes open: stop waiting for them.
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const onAbort = () => {
      cancelled = true;
      stop();
    };

    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {}); // a program that does not read its stdin
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // The group may still hold children that ignored SIGTERM.
      if (killTimer) {
        clearTimeout(killTimer);
        killGroup('SIGKILL');
      }
      resolve({
        code: spawnError ? null : code,
        signal: sig,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        cancelled,
        spawnError,
      });
    });

    if (timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.stdin instanceof Readable) options.stdin.pipe(child.stdin);
    else child.stdin.end(options.stdin ?? '');
  });
}

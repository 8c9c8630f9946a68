/**
 * Runs the compiled CLI commands against a test oned, as an admin would: ONE_XMLRPC is the
 * oned's endpoint and ONE_AUTH a file holding oneadmin's credentials.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Oned } from './harness.js';

/** The compiled `bin` folder of the CLI. */
export const CLI_BIN = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/cli/bin');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args...` (`onehost`, `list`) to its end; `env` adds to or overrides the environment. */
export function cli(oned: Oned, command: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(CLI_BIN, `${command}.js`), ...args], {
      env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth'), NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a command that must succeed; returns its standard output. */
export async function cliOk(oned: Oned, command: string, args: readonly string[]): Promise<string> {
  const r = await cli(oned, command, args);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The rows of a table as lists of cells (split on runs of spaces; header first). */
export function rows(table: string): string[][] {
  return table
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
}

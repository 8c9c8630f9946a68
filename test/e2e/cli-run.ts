/**
 * Runs the CLI's commands against a test oned as an admin would: `node dist/src/cli/bin/<cmd>.js`
 * with ONE_XMLRPC set to the oned and ONE_AUTH to a file with its oneadmin credentials.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Oned } from './harness.js';

const BIN = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/cli/bin');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args...` as oneadmin of `oned` (or as `auth`, `user:password`). */
export function cli(oned: Oned, command: string, args: readonly string[], auth = oned.oneadmin): Promise<CliResult> {
  const authFile = join(oned.location, `cli_auth_${auth.split(':')[0]}`);
  writeFileSync(authFile, `${auth}\n`);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(BIN, `${command}.js`), ...args],
      { env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: authFile, NO_COLOR: '1' }, timeout: 30_000 },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a command that must succeed; its stdout. */
export async function cliOk(oned: Oned, command: string, args: readonly string[], auth?: string): Promise<string> {
  const r = await cli(oned, command, args, auth);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The rows of a table (header first) split into cells on runs of spaces. */
export function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
}

/** The `ID: n` a create command printed. */
export function printedId(stdout: string, label = 'ID'): number {
  const m = new RegExp(`^${label}: (\\d+)$`, 'm').exec(stdout);
  if (!m) throw new Error(`no "${label}: n" in ${JSON.stringify(stdout)}`);
  return Number(m[1]);
}

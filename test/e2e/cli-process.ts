/**
 * Runs the CLI's executables against a test oned as an admin would: `node dist/src/cli/bin/<cmd>.js`
 * with ONE_XMLRPC at the oned and ONE_AUTH at a file holding the session.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Oned } from './harness.js';

const BIN = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/cli/bin');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split in lines, without the empty last one. */
  readonly lines: string[];
}

export interface CliRunOptions {
  /** Session written to the ONE_AUTH file (default oneadmin's). */
  readonly session?: string;
  /** Use this ONE_AUTH file as it is (for `oneuser login`). */
  readonly authFile?: string;
  readonly cwd?: string;
}

/** Runs `cmd args...` and resolves with its exit code and output (never rejects on exit codes). */
export function cli(oned: Oned, cmd: string, args: readonly string[], opts: CliRunOptions = {}): Promise<CliResult> {
  let auth = opts.authFile;
  if (!auth) {
    auth = join(oned.location, `cli_auth_${opts.session ? Buffer.from(opts.session).toString('hex').slice(0, 24) : 'oneadmin'}`);
    writeFileSync(auth, `${opts.session ?? oned.oneadmin}\n`);
  }
  return new Promise((res) => {
    execFile(
      process.execPath,
      [join(BIN, `${cmd}.js`), ...args],
      { env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: auth, NO_COLOR: '1' }, cwd: opts.cwd ?? oned.location, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 255) : 0;
        res({ code, stdout, stderr, lines: stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') });
      },
    );
  });
}

/** The id of a `create` answer (`ID: 3`). */
export function createdId(r: CliResult): number {
  const m = /^ID: (\d+)$/m.exec(r.stdout);
  if (!m || r.code !== 0) throw new Error(`create failed (${r.code}): ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

/**
 * Helpers for the driver tests: temporary directories, scripts, and Drivers running the compiled
 * driver executables.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Driver, type DriverOptions } from './driver.js';

/** Directory of the compiled driver executables. */
export const BIN_DIR = fileURLToPath(new URL('./bin/', import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mad-${prefix}-`));
}

/** Writes an executable file, creating its directory. */
export function writeScript(path: string, body: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

/** A Driver for the compiled executable `name` (e.g. `one_vmm_dummy`), not started. */
export function binDriver(name: string, args: readonly string[], options: Partial<DriverOptions> = {}): Driver {
  return new Driver({
    name,
    command: process.execPath,
    args: [join(BIN_DIR, `${name}.js`), ...args],
    ...options,
  });
}

/** A base64 action data document from its XML. */
export function actionData(xml: string): string {
  return Buffer.from(xml).toString('base64');
}

/**
 * `ssh localhost` is not available on the test machine: a stand-in `ssh` to put first on PATH. It
 * logs its arguments to $SSH_LOG and runs the remote command with sh, which exercises everything
 * but the network.
 */
export const FAKE_SSH = `#!/bin/sh
printf "%s\\n" "$*" >> "$SSH_LOG"
while [ $# -gt 0 ]; do case "$1" in -o) shift 2 ;; -*) shift ;; *) break ;; esac; done
shift
exec /bin/sh -c "$*"
`;

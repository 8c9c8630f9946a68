/**
 * Where the runners find scripts. oned passes these in the environment of every driver:
 * `ONE_REMOTES_DIR` (the front-end's remotes tree, default `<package>/remotes`) and
 * `SCRIPTS_REMOTE_DIR` (where remotes are copied on hosts, default `/var/tmp/one`).
 */
import { defaultRemotesDir } from '../executable.js';
import type { DriverArgs } from '../server/options.js';
import { ScriptRunner } from './script-runner.js';

export const REMOTES_DIR_ENV = 'ONE_REMOTES_DIR';
export const SCRIPTS_REMOTE_DIR_ENV = 'SCRIPTS_REMOTE_DIR';
export const DEFAULT_SCRIPTS_REMOTE_DIR = '/var/tmp/one';

/** The script runner configured by a driver's options and environment. */
export function scriptRunnerFor(args: DriverArgs, env: NodeJS.ProcessEnv = process.env): ScriptRunner {
  return new ScriptRunner({
    remotesDir: env[REMOTES_DIR_ENV] || defaultRemotesDir(),
    remoteDir: env[SCRIPTS_REMOTE_DIR_ENV] || DEFAULT_SCRIPTS_REMOTE_DIR,
    retries: args.retries,
    timeoutMs: args.timeoutMs,
  });
}

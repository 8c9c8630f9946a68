#!/usr/bin/env node
/**
 * `one_im_exec [-t threads] [-r retries] [-w timeout] [-l monitor] <driver>`: information driver
 * running the probes of remotes/im/<driver>.d/ on each host (see docs/drivers.md).
 */
import { imActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, runDriver } from '../server/index.js';

runDriver('one_im_exec', () => {
  const args = parseDriverArgs(process.argv.slice(2));
  const driver = args.positionals[0];
  if (!driver) throw new Error('usage: one_im_exec [-t threads] [-r retries] [-w timeout] [-l monitor] <driver>');
  return { actions: imActions({ driver, runner: scriptRunnerFor(args), local: args.local }), concurrency: args.threads };
});

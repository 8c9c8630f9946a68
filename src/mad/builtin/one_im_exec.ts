/**
 * `one_im_exec [-t threads] [-r retries] [-w timeout] [-l monitor] <driver>`: information driver
 * running the probes of remotes/im/<driver>.d/ on each host (see docs/drivers.md).
 */
import { imActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv);
  const driver = args.positionals[0];
  if (!driver) throw new Error('usage: one_im_exec [-t threads] [-r retries] [-w timeout] [-l monitor] <driver>');
  return { actions: imActions({ driver, runner: scriptRunnerFor(args), local: args.local }), concurrency: args.threads };
};

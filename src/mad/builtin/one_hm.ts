/**
 * `one_hm [-t threads] [-r retries] [-w timeout]`: hook driver running the commands of VM_HOOK and
 * HOST_HOOK entries (see src/mad/exec/hm.ts and docs/hooks.md).
 */
import { hookActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv);
  return { actions: hookActions(scriptRunnerFor(args)), concurrency: args.threads };
};

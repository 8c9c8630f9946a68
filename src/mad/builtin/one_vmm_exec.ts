/**
 * `one_vmm_exec [-t threads] [-r retries] [-w timeout] [-l actions] <driver>`: virtualization
 * driver running the scripts of remotes/vmm/<driver>/ (see docs/drivers.md).
 */
import { scriptRunnerFor, TransferRunner, vmmActions } from '../exec/index.js';
import { parseDriverArgs } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv);
  const driver = args.positionals[0];
  if (!driver) throw new Error('usage: one_vmm_exec [-t threads] [-r retries] [-w timeout] [-l actions] <driver>');
  const runner = scriptRunnerFor(args);
  return {
    actions: vmmActions({ driver, runner, transfer: new TransferRunner(runner), local: args.local }),
    concurrency: args.threads,
  };
};

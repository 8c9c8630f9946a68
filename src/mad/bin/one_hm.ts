#!/usr/bin/env node
/**
 * `one_hm [-t threads] [-r retries] [-w timeout]`: hook driver running the commands of VM_HOOK and
 * HOST_HOOK entries (see src/mad/exec/hm.ts and docs/hooks.md).
 */
import { hookActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, runDriver } from '../server/index.js';

runDriver('one_hm', () => {
  const args = parseDriverArgs(process.argv.slice(2));
  return { actions: hookActions(scriptRunnerFor(args)), concurrency: args.threads };
});

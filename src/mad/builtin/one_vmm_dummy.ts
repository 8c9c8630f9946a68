/**
 * `one_vmm_dummy [-a actions_dir]`: virtualization driver where every action succeeds at once,
 * for tests and benchmarks; `-a` scripts outcomes per action (see ScriptedResults).
 */
import { dummyVmmActions, ScriptedResults } from '../dummy/index.js';
import { parseDriverArgs } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv, { 'actions-dir': { type: 'string', short: 'a' } });
  return { actions: dummyVmmActions(new ScriptedResults(args.values['actions-dir'])), concurrency: args.threads };
};

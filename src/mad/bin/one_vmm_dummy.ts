#!/usr/bin/env node
/**
 * `one_vmm_dummy [-a actions_dir]`: virtualization driver where every action succeeds at once,
 * for tests and benchmarks; `-a` scripts outcomes per action (see ScriptedResults).
 */
import { dummyVmmActions, ScriptedResults } from '../dummy/index.js';
import { parseDriverArgs, runDriver } from '../server/index.js';

runDriver('one_vmm_dummy', () => {
  const args = parseDriverArgs(process.argv.slice(2), { 'actions-dir': { type: 'string', short: 'a' } });
  return { actions: dummyVmmActions(new ScriptedResults(args.values['actions-dir'])), concurrency: args.threads };
});

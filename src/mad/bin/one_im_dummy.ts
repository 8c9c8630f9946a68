#!/usr/bin/env node
/**
 * `one_im_dummy [-c cpu] [-m memory_mb] [-a actions_dir]`: information driver reporting an idle
 * host of the given capacity (default 800 CPU = 8 cores, 16384 MB) for every host.
 */
import { DEFAULT_DUMMY_CAPACITY, dummyImActions, ScriptedResults } from '../dummy/index.js';
import { intOption, parseDriverArgs, runDriver } from '../server/index.js';

runDriver('one_im_dummy', () => {
  const args = parseDriverArgs(process.argv.slice(2), {
    cpu: { type: 'string', short: 'c' },
    memory: { type: 'string', short: 'm' },
    'actions-dir': { type: 'string', short: 'a' },
  });
  const capacity = {
    cpu: intOption(args.values.cpu, '-c', DEFAULT_DUMMY_CAPACITY.cpu, 1),
    memoryMb: intOption(args.values.memory, '-m', DEFAULT_DUMMY_CAPACITY.memoryMb, 1),
  };
  return { actions: dummyImActions(capacity, new ScriptedResults(args.values['actions-dir'])), concurrency: args.threads };
});

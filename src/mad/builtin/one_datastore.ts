/**
 * `one_datastore [-t threads] [-r retries] [-w timeout] [-d ds_mad,...] [-s system_tm,...] [-a actions_dir]`:
 * datastore driver running remotes/datastore/<ds_mad>/ scripts; `dummy` is built in, its
 * outcomes scripted by the files of `-a` (`cp`, `clone`, `rm`...; see ScriptedResults).
 */
import { ScriptedResults } from '../dummy/index.js';
import { datastoreActions, DEFAULT_SYSTEM_TYPES, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, parseNameList } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv, {
    'ds-types': { type: 'string', short: 'd' },
    'system-ds-types': { type: 'string', short: 's' },
    'actions-dir': { type: 'string', short: 'a' },
  });
  const types = args.values['ds-types'];
  const system = args.values['system-ds-types'];
  return {
    actions: datastoreActions({
      runner: scriptRunnerFor(args),
      types: types === undefined ? undefined : new Set(parseNameList(types)),
      systemTypes: new Set(system === undefined ? DEFAULT_SYSTEM_TYPES : parseNameList(system)),
      dummyResults: new ScriptedResults(args.values['actions-dir']),
    }),
    concurrency: args.threads,
  };
};

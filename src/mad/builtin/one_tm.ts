/**
 * `one_tm [-t threads] [-r retries] [-w timeout] [-d tm_mad,...]`: transfer driver running the
 * commands of transfer files with remotes/tm/<tm_mad>/ scripts; `dummy` is built in.
 */
import { scriptRunnerFor, transferActions, TransferRunner } from '../exec/index.js';
import { parseDriverArgs, parseNameList } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv, { 'tm-types': { type: 'string', short: 'd' } });
  const types = args.values['tm-types'];
  const transfer = new TransferRunner(scriptRunnerFor(args), types === undefined ? undefined : new Set(parseNameList(types)));
  return { actions: transferActions(transfer), concurrency: args.threads };
};

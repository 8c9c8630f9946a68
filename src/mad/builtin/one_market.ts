/**
 * `one_market [-t threads] [-r retries] [-w timeout] [-m market_mad,...]`: marketplace driver
 * running remotes/market/<market_mad>/ scripts (import, delete, monitor).
 */
import { marketActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, parseNameList } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv, { 'market-types': { type: 'string', short: 'm' } });
  const types = args.values['market-types'];
  return {
    actions: marketActions({ runner: scriptRunnerFor(args), types: types === undefined ? undefined : new Set(parseNameList(types)) }),
    concurrency: args.threads,
  };
};

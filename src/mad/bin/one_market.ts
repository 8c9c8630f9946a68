#!/usr/bin/env node
/**
 * `one_market [-t threads] [-r retries] [-w timeout] [-m market_mad,...]`: marketplace driver
 * running remotes/market/<market_mad>/ scripts (import, delete, monitor).
 */
import { marketActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, parseNameList, runDriver } from '../server/index.js';

runDriver('one_market', () => {
  const args = parseDriverArgs(process.argv.slice(2), { 'market-types': { type: 'string', short: 'm' } });
  const types = args.values['market-types'];
  return {
    actions: marketActions({ runner: scriptRunnerFor(args), types: types === undefined ? undefined : new Set(parseNameList(types)) }),
    concurrency: args.threads,
  };
});

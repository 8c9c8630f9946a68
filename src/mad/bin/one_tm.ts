#!/usr/bin/env node
/**
 * `one_tm [-t threads] [-r retries] [-w timeout] [-d tm_mad,...]`: transfer driver running the
 * commands of transfer files with remotes/tm/<tm_mad>/ scripts; `dummy` is built in.
 */
import { scriptRunnerFor, transferActions, TransferRunner } from '../exec/index.js';
import { parseDriverArgs, parseNameList, runDriver } from '../server/index.js';

runDriver('one_tm', () => {
  const args = parseDriverArgs(process.argv.slice(2), { 'tm-types': { type: 'string', short: 'd' } });
  const types = args.values['tm-types'];
  const transfer = new TransferRunner(scriptRunnerFor(args), types === undefined ? undefined : new Set(parseNameList(types)));
  return { actions: transferActions(transfer), concurrency: args.threads };
});

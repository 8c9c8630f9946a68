#!/usr/bin/env node
/**
 * `one_auth_mad [-t threads] [-w timeout] [--authn driver,...]`: authentication driver running
 * remotes/auth/<driver>/authenticate for users of external drivers (see src/mad/exec/auth.ts).
 */
import { authActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, parseNameList, runDriver } from '../server/index.js';

runDriver('one_auth_mad', () => {
  const args = parseDriverArgs(process.argv.slice(2), { authn: { type: 'string' } });
  const authn = args.values.authn;
  return { actions: authActions(scriptRunnerFor(args), authn === undefined ? undefined : new Set(parseNameList(authn))), concurrency: args.threads };
});

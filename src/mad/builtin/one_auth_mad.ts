/**
 * `one_auth_mad [-t threads] [-w timeout] [--authn driver,...]`: authentication driver running
 * remotes/auth/<driver>/authenticate for users of external drivers (see src/mad/exec/auth.ts).
 */
import { authActions, scriptRunnerFor } from '../exec/index.js';
import { parseDriverArgs, parseNameList } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv, { authn: { type: 'string' } });
  const authn = args.values.authn;
  return { actions: authActions(scriptRunnerFor(args), authn === undefined ? undefined : new Set(parseNameList(authn))), concurrency: args.threads };
};

/**
 * The exec runners: driver executables that serve each request by running the action scripts of
 * the remotes tree (`remotes/<family>/<driver>/<action>`), on the front-end or on hosts over ssh.
 */
export { authActions } from './auth.js';
export { MARKET_ACTIONS, marketActions, type MarketConfig } from './market.js';
export { DATASTORE_ACTIONS, DEFAULT_SYSTEM_TYPES, datastoreActions, type DatastoreConfig } from './datastore.js';
export { DEFAULT_SCRIPTS_REMOTE_DIR, REMOTES_DIR_ENV, SCRIPTS_REMOTE_DIR_ENV, scriptRunnerFor } from './environment.js';
export { decodeHookCall, hookActions, HOOKS_DIR, type HookCall } from './hm.js';
export { imActions, RUN_PROBES, type ImConfig } from './im.js';
export { ScriptRunner, type ScriptCall, type ScriptResult, type ScriptRunnerOptions } from './script-runner.js';
export { DUMMY_TM, TransferRunner, transferActions } from './tm.js';
export { VMM_ACTIONS, vmmActions, type VmmConfig } from './vmm.js';

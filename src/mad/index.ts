/**
 * The driver framework: how oned talks to its driver processes (OpenNebula's MADs).
 *
 * - `Driver`: one driver process seen from oned (spawn, INIT, pipelined requests, timeouts,
 *   restarts, FINALIZE).
 * - `resolveExecutable` / `splitArguments`: from oned.conf's `EXECUTABLE` and `ARGUMENTS` to a
 *   command line; drivers also need `ONE_REMOTES_DIR` and `SCRIPTS_REMOTE_DIR` in their
 *   environment (see docs/drivers.md).
 * - the protocol codec, for tests and tools.
 *
 * The driver executables themselves live in bin/ (exec runners and dummy drivers).
 */
export {
  Driver,
  type DriverLogEntry,
  type DriverOptions,
  type DriverProcess,
  type DriverReply,
  type DriverState,
  type RequestOptions,
  type RestartPolicy,
} from './driver.js';
export { isBuiltinDriver } from './builtin/index.js';
export { DriverHost, type DriverHostOptions } from './host/host-client.js';
export { defaultRemotesDir, resolveExecutable, splitArguments, type ResolvedExecutable, type ResolveOptions } from './executable.js';
export { DEFAULT_SCRIPTS_REMOTE_DIR, REMOTES_DIR_ENV, SCRIPTS_REMOTE_DIR_ENV } from './exec/environment.js';
export {
  decodePayload,
  formatLog,
  formatReply,
  formatRequest,
  parseDriverLine,
  parseRequest,
  type DriverLine,
  type Garbage,
  type LogLine,
  type Reply,
  type Request,
  type Result,
  type Severity,
} from './protocol.js';

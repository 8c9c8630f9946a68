/**
 * The driver side of the protocol, shared by every driver executable.
 */
export { DriverServer, type ActionContext, type ActionHandler, type ActionOutcome, type DriverServerOptions } from './driver-server.js';
export { intOption, parseActionList, parseDriverArgs, parseNameList, type DriverArgs } from './options.js';
export { runDriver, type DriverConfig } from './run.js';

/** The Request Manager: oned's XML-RPC API. */
export * from './api-error.js';
export * from './core.js';
export * from './request.js';
export * from './request-manager.js';
export { ALL_METHODS } from './methods/index.js';

/** The state tables live in the client library (src/oca/states.ts), shared by every tool. */
export * from '../../oca/states.js';

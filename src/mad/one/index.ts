/** The `one` hybrid drivers (VM_MAD and IM_MAD `one`): see one-cloud.ts and docs/hybrid.md. */
export { HOST_ATTR, OneCloud, VM_ATTR, type OneConnection } from './one-cloud.js';

/** The Life-Cycle Manager: transitions of ACTIVE VMs, the driver work of each state, driver callbacks. */
export * from './operations.js';
export * from './life-cycle-manager.js';

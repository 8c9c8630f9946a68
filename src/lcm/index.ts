/** The Life-Cycle Manager: transitions of ACTIVE VMs and driver callbacks. */
export * from './life-cycle-manager.js';

/** Virtual machines: states, history records, the VM object and pool, vm.log, context (variables, FILES), DISK/NIC resources. */
export * from './vm-state.js';
export * from './history.js';
export * from './virtual-machine.js';
export * from './vm-pool.js';
export * from './vm-log.js';
export * from './vm-resources.js';
export * from './vm-defaults.js';
export * from './disk-defaults.js';
export * from './context.js';
export * from './context-files.js';
export * from './vm-monitoring.js';
export { vmHookSubject } from './hook-subject.js';

/** The Virtual Machine Manager: VMM driver actions. */
export * from './virtual-machine-manager.js';
export * from './vm-poller.js';
export * from './deployment-formats.js';

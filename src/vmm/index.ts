/** The Virtual Machine Manager: VMM driver actions. */
export * from './virtual-machine-manager.js';

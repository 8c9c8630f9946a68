/** The Dispatch Manager: user actions checked against the VM's state. */
export * from './dispatch-manager.js';

/** VM templates and their pool. */
export * from './vm-template.js';
export * from './vm-template-pool.js';

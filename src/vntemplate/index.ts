/** Virtual network templates and their pool. */
export * from './vn-template.js';

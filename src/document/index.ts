/** Documents (generic objects) and their pool. */
export * from './document.js';
export * from './document-pool.js';

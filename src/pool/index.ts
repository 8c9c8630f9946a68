/** The generic pool: objects, permissions, locks, pools and transactions over them. */
export * from './permissions.js';
export * from './pool-object.js';
export * from './pool.js';
export * from './transaction.js';
export * from './template-node.js';

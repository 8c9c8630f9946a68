/** Groups and their pool. */
export * from './group.js';
export * from './group-pool.js';
export * from './vlan-rules.js';

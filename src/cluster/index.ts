/** Clusters and their pool. */
export * from './cluster.js';
export * from './cluster-pool.js';
export * from './cluster-ids.js';
export * from './plan.js';
export * from './drs-planner.js';

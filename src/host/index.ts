/** Hosts, their share and monitoring samples, and their pool. */
export * from './host.js';
export * from './host-share.js';
export * from './host-monitoring.js';
export * from './host-pool.js';

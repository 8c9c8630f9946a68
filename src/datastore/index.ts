/** Datastores, the storage drivers they name, and their pool. */
export * from './datastore.js';
export * from './datastore-drivers.js';
export * from './datastore-pool.js';
export * from './mad-conf.js';

/** Datastores, the storage drivers they name, what oned.conf says of those, and their pool. */
export * from './datastore.js';
export * from './datastore-drivers.js';
export * from './driver-conf.js';
export * from './disk-type.js';
export * from './datastore-template.js';
export * from './datastore-pool.js';

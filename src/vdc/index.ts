/** VDCs: the object, its pool, the ACL rules it generates, and the zone checks. */
export * from './vdc.js';
export * from './vdc-pool.js';
export * from './vdc-rules.js';
export * from './vdc-acl.js';
export * from './zone-check.js';

/** Users and their pool. */
export * from './user.js';
export * from './user-pool.js';

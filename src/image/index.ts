/** Images, their pool, and the Image Manager that has the datastore driver store them. */
export * from './image.js';
export * from './image-pool.js';
export * from './image-manager.js';
export * from './image-backup.js';

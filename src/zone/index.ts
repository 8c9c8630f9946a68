/** Zones and their pool; the federation of zones is in ./federation. */
export * from './zone.js';
export * from './zone-pool.js';

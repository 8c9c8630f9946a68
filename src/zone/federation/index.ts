/** Federation of zones over PostgreSQL logical replication. */
export * from './config.js';
export * from './federation.js';
export * from './forwarder.js';
export * from './change-feed.js';
export { subscriptionName, PUBLICATION, CHANNEL, connectLocal, installTriggers } from './pg-replication.js';

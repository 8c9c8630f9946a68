/** Federation of zones over PostgreSQL logical replication. */
export * from './config.js';
export * from './federation.js';
export * from './forwarder.js';
export { subscriptionName, PUBLICATION, CHANNEL } from './pg-replication.js';

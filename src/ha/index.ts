/** Front-end high availability: leader election and fencing on PostgreSQL (docs/ha.md). */
export * from './config.js';
export * from './elector.js';
export * from './leader-lock.js';
export * from './raft-hook.js';
export * from './front-end.js';

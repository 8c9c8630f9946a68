export * from './sched-action.js';
export * from './sched-action-manager.js';
export { DueHeap } from './due-heap.js';

export * from './vm-group.js';
export * as vmGroupMembership from './membership.js';

/**
 * The scheduler (mm_sched): an API client of oned that places pending VMs on hosts, moves VMs
 * flagged for rescheduling, and keeps advance reservations. See docs/scheduler.md.
 */
export { Scheduler, type CycleReport, type SchedLog } from './scheduler.js';
export { plan, explain, type Action, type CycleInput, type CyclePlan, type Verdict } from './planner.js';
export { parseSchedConfig, policyRank, Policy, DEFAULT_SCHED_CONFIG, SchedConfigError, type SchedConfig, type PolicySetting } from './sched-config.js';
export { SchedHost } from './sched-host.js';
export { SchedVm } from './sched-vm.js';
export { SchedDatastore } from './sched-datastore.js';
export { formatExplanation } from './explain-format.js';

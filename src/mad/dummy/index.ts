/**
 * The dummy drivers: instant answers for tests and benchmarks, as OpenNebula ships them.
 */
export { DUMMY_DS, DUMMY_DS_TOTAL_MB, DUMMY_IMAGE_MB, dummyDatastoreAnswer } from './datastore.js';
export { DEFAULT_DUMMY_CAPACITY, DEFAULT_DUMMY_TOPOLOGY, dummyHostTemplate, dummyImActions, parseExtraAttributes, parseTopology, type DummyCapacity, type DummyTopology } from './im.js';
export { ScriptedResults, type Scripted } from './scripted-results.js';
export { DUMMY_POLL, DUMMY_VMM_ACTIONS, dummyVmmActions } from './vmm.js';

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageStateShort, imageTypeShort, lcmStateName, vmActionName, vmShortState, vmStateName } from './states.js';

test('VM abbreviations: the LCM state for ACTIVE VMs, the VM state otherwise', () => {
  assert.equal(vmShortState(3, 3), 'runn');
  assert.equal(vmShortState(1, 0), 'pend');
  assert.equal(vmShortState(8, 0), 'poff');
  assert.equal(vmShortState(9, 0), 'unde');
  assert.equal(vmShortState(2, 0), 'hold');
  assert.equal(vmShortState(6, 0), 'done');
  assert.equal(vmShortState(3, 1), 'prol');
  assert.equal(vmShortState(3, 2), 'boot');
  assert.equal(vmShortState(3, 4), 'migr');
  assert.equal(vmShortState(3, 8), 'migr', 'PROLOG_MIGRATE');
  assert.equal(vmShortState(3, 6), 'save');
  assert.equal(vmShortState(3, 11), 'epil');
  assert.equal(vmShortState(3, 12), 'shut');
  assert.equal(vmShortState(3, 18), 'shut', 'SHUTDOWN_POWEROFF');
  assert.equal(vmShortState(3, 16), 'unkn');
  assert.equal(vmShortState(3, 17), 'hotp');
  assert.equal(vmShortState(3, 24), 'snap', 'HOTPLUG_SNAPSHOT is a snapshot, not a hotplug');
  assert.equal(vmShortState(3, 36), 'fail', 'BOOT_FAILURE');
  assert.equal(vmShortState(3, 23), 'clea');
  assert.equal(vmShortState(3, 62), 'drsz');
  assert.equal(vmShortState(3, 69), 'back');
  assert.equal(vmShortState(99, 0), '-');
});

test('state names for show', () => {
  assert.equal(vmStateName(3), 'ACTIVE');
  assert.equal(lcmStateName(3), 'RUNNING');
  assert.equal(lcmStateName(36), 'BOOT_FAILURE');
  assert.equal(lcmStateName(71), 'RESTORE');
});

test('image types and states', () => {
  assert.deepEqual([0, 1, 2, 5].map(imageTypeShort), ['OS', 'CD', 'DB', 'CX']);
  assert.deepEqual([1, 2, 3, 4, 5, 8].map(imageStateShort), ['rdy', 'used', 'disa', 'lock', 'err', 'used']);
});

test('history action names', () => {
  assert.deepEqual([0, 2, 27, 30, 65].map(vmActionName), ['none', 'live-migrate', 'terminate', 'deploy', 'vmgroup-del']);
  assert.equal(vmActionName(3), '3', 'a removed code shows as its number');
});

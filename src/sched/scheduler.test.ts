import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wantedVms } from './scheduler.js';

const el = (id: number, state: number, extra = '', user = '') =>
  `<VM><ID>${id}</ID><STATE>${state}</STATE><LCM_STATE>${state === 3 ? 3 : 0}</LCM_STATE>${extra}<TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY></TEMPLATE><USER_TEMPLATE>${user}</USER_TEMPLATE><HISTORY_RECORDS/></VM>`;

test('only pending, flagged and leased VMs of a listing are parsed and kept', () => {
  const xml = `<VM_POOL>${el(1, 3)}${el(2, 1)}${el(3, 3, '<RESCHED>1</RESCHED>')}${el(4, 3, '', '<SCHED_DURATION>5</SCHED_DURATION><SCHED_END>5</SCHED_END>')}${el(5, 3, '', '<STATE>1</STATE>')}${el(6, 8)}</VM_POOL>`;
  assert.deepEqual(wantedVms(xml, 100).map((v) => v.id), [2, 3, 4]);
});

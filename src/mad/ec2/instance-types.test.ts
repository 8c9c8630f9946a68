import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityCounts, capacityKey, typeOfKey, typeSize } from './instance-types.js';

test('CAPACITY names: m1.small is M1_SMALL and back', () => {
  assert.equal(capacityKey('m1.small'), 'M1_SMALL');
  assert.equal(typeOfKey('M5_2XLARGE'), 'm5.2xlarge');
  assert.deepEqual([...capacityCounts(new Map([['M1_SMALL', '2'], ['T2_MICRO', '0']]))], [['m1.small', 2], ['t2.micro', 0]]);
  assert.throws(() => capacityCounts(new Map([['M1_SMALL', '-1']])), /CAPACITY M1_SMALL must be a whole number of instances, not "-1"/);
});

test('type sizes: known ones, those the host template gives, and a clear error for the rest', () => {
  assert.deepEqual(typeSize('m1.small', undefined), { cpu: 1, memoryMb: 1740 });
  assert.deepEqual(typeSize('x9.huge', new Map([['X9_HUGE', '64 524288']])), { cpu: 64, memoryMb: 524288 });
  assert.throws(() => typeSize('x9.huge', undefined), /INSTANCE_TYPE_SIZE = \[ X9_HUGE = "<vCPUs> <memory MB>" \]/);
  assert.throws(() => typeSize('x9.huge', new Map([['X9_HUGE', 'big']])), /must be "<vCPUs> <memory MB>"/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceState } from './instance-state.js';

test('EC2 states of VM states, as the table of the spec says', () => {
  const name = (state: number, lcm = 0) => `${instanceState(state, lcm).code} ${instanceState(state, lcm).name}`;
  assert.equal(name(0), '0 pending'); // init
  assert.equal(name(1), '0 pending'); // pend
  assert.equal(name(2), '0 pending'); // hold
  assert.equal(name(3, 1), '0 pending'); // prol
  assert.equal(name(3, 2), '16 running'); // boot
  assert.equal(name(3, 3), '16 running'); // runn
  assert.equal(name(3, 4), '16 running'); // migr
  assert.equal(name(3, 11), '32 shutting-down'); // epil
  assert.equal(name(3, 12), '32 shutting-down'); // shut
  assert.equal(name(3, 23), '32 shutting-down'); // clea
  assert.equal(name(6), '48 terminated'); // done
  assert.equal(name(3, 36), '48 terminated'); // fail
  assert.equal(name(3, 16), '48 terminated'); // unkn
  assert.equal(name(3, 5), '64 stopping'); // save
  assert.equal(name(3, 10), '64 stopping'); // EPILOG_STOP: on its way to stopped
  assert.equal(name(4), '80 stopped'); // stop
  assert.equal(name(5), '80 stopped'); // susp
  assert.equal(name(8), '80 stopped'); // poff
  assert.equal(name(3, 17), '16 running'); // hotp
});

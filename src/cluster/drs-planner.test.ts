import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DRS, drsAutomation, drsSettings, planMigrations, type PlannerHost, type PlannerVm } from './drs-planner.js';

/** A host of 8 CPUs and 8 GB, `used` percent of its CPU busy. */
function host(id: number, used: number, alloc = 0): PlannerHost {
  return { id, maxCpu: 800, maxMem: 8388608, allocCpu: alloc, allocMem: 0, usedCpu: (800 * used) / 100, usedMem: 0 };
}
function vm(id: number, hostId: number, cpu = 100, mem = 131072): PlannerVm {
  return { id, hostId, cpu, mem, usedCpu: cpu, usedMem: 0 };
}
const cpuOnly = { ...DEFAULT_DRS, memoryWeight: 0 };

describe('balance', () => {
  test('moves VMs from the busy host to the idle one until within the tolerance', () => {
    const moves = planMigrations([host(0, 75, 400), host(1, 0)], [0, 1, 2, 3].map((i) => vm(i, 0)), cpuOnly);
    // 600/0 → 500/100 → 400/200 → 300/300: three moves, all to host 1.
    assert.equal(moves.length, 3);
    assert.ok(moves.every((m) => m.from === 0 && m.to === 1));
    assert.equal(new Set(moves.map((m) => m.vmId)).size, 3, 'each VM moves once');
  });

  test('a balanced cluster needs no move', () => {
    assert.deepEqual(planMigrations([host(0, 30, 200), host(1, 25, 200)], [vm(0, 0), vm(1, 0), vm(2, 1), vm(3, 1)], cpuOnly), []);
  });

  test('honours MIGRATION_THRESHOLD', () => {
    const moves = planMigrations([host(0, 75, 400), host(1, 0)], [0, 1, 2, 3].map((i) => vm(i, 0)), { ...cpuOnly, migrationThreshold: 1 });
    assert.equal(moves.length, 1);
  });

  test('never overcommits the destination', () => {
    const full: PlannerHost = { ...host(1, 0), allocCpu: 750 };
    assert.deepEqual(planMigrations([host(0, 90, 400), full], [0, 1, 2, 3].map((i) => vm(i, 0)), cpuOnly), []);
  });

  test('prefers the move that evens the loads most', () => {
    const moves = planMigrations([host(0, 50, 400), host(1, 0)], [vm(0, 0, 100), vm(1, 0, 200), vm(2, 0, 400)], cpuOnly);
    // 400/0: moving the 200 VM gives 200/200 at once.
    assert.deepEqual(moves, [{ vmId: 1, from: 0, to: 1 }]);
  });
});

describe('pack', () => {
  test('empties the least loaded host into the others', () => {
    const settings = { ...cpuOnly, policy: 'pack' as const };
    const moves = planMigrations([host(0, 50, 400), host(1, 12.5, 100), host(2, 0)], [vm(0, 0), vm(1, 0), vm(2, 0), vm(3, 0), vm(4, 1)], settings);
    assert.deepEqual(moves, [{ vmId: 4, from: 1, to: 0 }]);
  });

  test('leaves a host whose VMs do not all fit elsewhere', () => {
    const settings = { ...cpuOnly, policy: 'pack' as const };
    const moves = planMigrations([host(0, 90, 700), host(1, 25, 200)], [vm(0, 0, 700), vm(1, 1), vm(2, 1)], settings);
    assert.deepEqual(moves, []);
  });
});

describe('ONE_DRS settings', () => {
  test('defaults, values and refusals as 7.4 checks them', () => {
    assert.deepEqual(drsSettings(undefined), DEFAULT_DRS);
    const s = drsSettings(new Map([['POLICY', 'PACK'], ['MIGRATION_THRESHOLD', '5'], ['CPU_WEIGHT', '2']]));
    assert.equal(s.policy, 'pack');
    assert.equal(s.migrationThreshold, 5);
    assert.equal(s.cpuWeight, 2);
    assert.throws(() => drsSettings(new Map([['POLICY', 'spread']])), /invalid POLICY/);
    assert.throws(() => drsSettings(new Map([['AUTOMATION', 'sometimes']])), /invalid AUTOMATION/);
    assert.throws(() => drsSettings(new Map([['MEMORY_WEIGHT', 'x']])), /invalid MEMORY_WEIGHT/);
    assert.equal(drsAutomation(new Map([['AUTOMATION', 'Full']])), 'full');
    assert.equal(drsAutomation(undefined), 'manual');
  });
});

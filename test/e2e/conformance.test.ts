/**
 * Wire conformance with OpenNebula 7.4: replays the 80 calls recorded from a real 7.4 front-end
 * (test/conformance/reference) against a fresh oned and compares every answer's structure
 * (envelope, elements, nesting, order, value kinds, error codes) with the recording. Differences
 * that test/conformance/allow-list.ts explains are accepted; any other fails the test.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, Oned } from './harness.js';
import { CONFORMANCE_CONF, formatResults, replay, type StepResult } from '../conformance/replay.js';
import { STEPS } from '../conformance/steps.js';

for (const backend of BACKENDS) {
  describe(`conformance with OpenNebula 7.4 on ${backend}`, () => {
    let oned: Oned | undefined;
    let results: StepResult[] = [];
    before(async () => {
      oned = await Oned.start({ backend, conf: CONFORMANCE_CONF });
      results = await replay(oned.endpoint, oned.oneadmin);
    });
    after(() => oned?.stop());

    test('every recorded call was replayed', () => {
      assert.equal(results.length, STEPS.length);
    });

    test('every answer has the structure OpenNebula 7.4 gives', () => {
      const failing = results.filter((r) => r.differences.length > 0);
      assert.equal(failing.length, 0, `${failing.length} calls differ:\n${formatResults(failing)}`);
    });
  });
}

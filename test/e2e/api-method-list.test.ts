/**
 * Every method OpenNebula 7.4 serves (test/conformance/methods-7.4.ts, from the interface facts'
 * method tables) answers on oned: called with the session alone, it may refuse the missing
 * arguments, but never with "no such method". The few families a later issue brings are listed
 * below with that issue; a method missing from oned and from that list fails the test, and so
 * does a listed one that oned has come to serve (the list must shrink with the work).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FaultCode, XmlRpcFault } from '../../src/rpc/xmlrpc/index.js';
import { METHOD_NAMES_7_4 } from '../conformance/methods-7.4.js';
import { Oned } from './harness.js';
import { TEST_DRIVERS } from './api-helpers.js';

/** Methods of 7.4 that oned does not serve yet, each with what brings it (or why it never will). */
const LATER: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'one.zone.replicate', 'one.zone.voterequest', 'one.zone.fedreplicate', 'one.zone.updatedb',
      'one.market.allocatedb', 'one.market.updatedb', 'one.marketapp.allocatedb', 'one.marketapp.updatedb', 'one.marketapp.dropdb',
    ].map((m) => [m, 'never: Raft and the federated log of OpenNebula; zones replicate through PostgreSQL and slaves forward whole calls (docs/zones.md)']),
  ),
  'one.system.sql': 'issue 17 (front-end HA replicates SQL)',
  'one.system.sqlquery': 'issue 17 (front-end HA: the read-only SQL of the HA tools)',
  'one.vm.updatenic': 'day-2 leftovers of issue 13 (NIC QoS update on a running VM)',
  'one.vm.restore': 'day-2 leftovers of issue 13 (in-place restore of a VM from its backup)',
  'one.vm.exec': 'day-2 leftovers of issue 13 (commands through the QEMU guest agent)',
  'one.vm.retryexec': 'day-2 leftovers of issue 13 (commands through the QEMU guest agent)',
  'one.vm.cancelexec': 'day-2 leftovers of issue 13 (commands through the QEMU guest agent)',
};

describe('the methods OpenNebula 7.4 serves', () => {
  let oned: Oned | undefined;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
  });
  after(() => oned?.stop());

  test('the list is whole: 307 methods, no name twice', () => {
    assert.equal(METHOD_NAMES_7_4.length, 307);
    assert.equal(new Set(METHOD_NAMES_7_4).size, 307);
    for (const m of Object.keys(LATER)) assert.ok(METHOD_NAMES_7_4.includes(m), `${m} is not a 7.4 method`);
  });

  test('every one answers, but for those a later issue brings', async () => {
    const o = oned!;
    const missing: string[] = [];
    const servedEarly: string[] = [];
    for (const method of METHOD_NAMES_7_4) {
      let unknown = false;
      try {
        await o.call(method, []);
      } catch (err) {
        if (!(err instanceof XmlRpcFault)) throw err;
        unknown = err.code === FaultCode.NO_SUCH_METHOD;
      }
      if (unknown && !(method in LATER)) missing.push(method);
      if (!unknown && method in LATER) servedEarly.push(method);
    }
    assert.deepEqual(missing, [], `oned does not serve: ${missing.join(' ')}`);
    assert.deepEqual(servedEarly, [], `served now, drop them from LATER: ${servedEarly.join(' ')}`);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host, parsePool } from '../../oca/index.js';
import { tableLines } from '../output.js';
import { HOST_COLUMNS, hostStateName, hostStateShort } from './onehost.js';

const POOL =
  '<HOST_POOL><HOST><ID>7</ID><NAME>node07</NAME><STATE>2</STATE><IM_MAD>kvm</IM_MAD><VM_MAD>kvm</VM_MAD><CLUSTER_ID>-1</CLUSTER_ID><CLUSTER></CLUSTER>' +
  '<HOST_SHARE><MEM_USAGE>2097152</MEM_USAGE><CPU_USAGE>100</CPU_USAGE><MAX_MEM>8388608</MAX_MEM><MAX_CPU>400</MAX_CPU><RUNNING_VMS>3</RUNNING_VMS></HOST_SHARE></HOST></HOST_POOL>';

test('onehost list: allocation as used / max (percent), state abbreviations, fits 80 columns', () => {
  const hosts = parsePool(Host, 'HOST', POOL);
  const lines = tableLines(HOST_COLUMNS.filter((c) => c.default !== false), hosts);
  assert.deepEqual(lines, [
    '  ID NAME            CLUSTER   TVM      ALLOCATED_CPU      ALLOCATED_MEM STAT',
    '   7 node07          -           3    100 / 400 (25%)      2G / 8G (25%) on',
  ]);
  assert.ok(lines.every((l) => l.length <= 80));
  assert.deepEqual([0, 2, 3, 4, 8].map(hostStateShort), ['init', 'on', 'err', 'dsbl', 'off']);
  assert.equal(hostStateName(8), 'OFFLINE');
  assert.equal(hostStateName(42), 'UNKNOWN (42)');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXmlTree } from '../common/xml-tree.js';
import { missingVms, nodeXml, parseDateArg, recordOwner, recordsByUser, withVms } from './accounting.js';

test('date arguments in the forms OpenNebula takes, local time', () => {
  const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
  assert.equal(parseDateArg('2026-12-01'), at(2026, 12, 1));
  assert.equal(parseDateArg('2026/12/01 10:30'), at(2026, 12, 1, 10, 30));
  assert.equal(parseDateArg('12/01/2026 10:30:15'), at(2026, 12, 1, 10, 30, 15));
  for (const bad of ['yesterday', '2026-02-30', '2026-12-01 25:00', '12/01', '2026-12-01x']) assert.equal(parseDateArg(bad), undefined, bad);
});

test('records group per user, owners from the nested VM; XML written back', () => {
  const doc = parseXmlTree(
    '<HISTORY_RECORDS>' +
      '<HISTORY><OID>1</OID><SEQ>0</SEQ><VM><UID>2</UID><UNAME>ann</UNAME><GID>100</GID></VM></HISTORY>' +
      '<HISTORY><OID>2</OID><SEQ>0</SEQ><UID>0</UID><GID>0</GID></HISTORY>' +
      '<HISTORY><OID>1</OID><SEQ>1</SEQ><VM><UID>2</UID><UNAME>ann</UNAME><GID>100</GID></VM></HISTORY>' +
      '</HISTORY_RECORDS>',
  );
  const byUser = recordsByUser(doc.children);
  assert.deepEqual([...byUser.keys()], ['2', '0']);
  assert.deepEqual(byUser.get('2')!.map((h) => h.children[1]!.text), ['0', '1']);
  assert.deepEqual(recordOwner(doc.children[0]!), { uid: '2', uname: 'ann', gid: '100' });
  assert.deepEqual(recordOwner(doc.children[1]!), { uid: '0', uname: '', gid: '0' });
  assert.equal(nodeXml(parseXmlTree('<A><B>x &lt; y</B><C></C></A>')), '<A><B>x &lt; y</B><C></C></A>');
});

test('records without their VM get it from the VM pool listing', () => {
  const records = parseXmlTree('<HISTORY_RECORDS><HISTORY><OID>7</OID><UID>0</UID></HISTORY><HISTORY><OID>9</OID></HISTORY></HISTORY_RECORDS>').children;
  assert.equal(missingVms(records), true);
  const pool = parseXmlTree('<VM_POOL><VM><ID>7</ID><UID>3</UID><UNAME>ann</UNAME><GID>100</GID></VM></VM_POOL>');
  const full = withVms(records, pool);
  assert.deepEqual(recordOwner(full[0]!), { uid: '3', uname: 'ann', gid: '100' });
  assert.equal(full[1], records[1], 'a VM no longer listed leaves its record as it is');
  assert.equal(missingVms(full.slice(0, 1)), false);
});

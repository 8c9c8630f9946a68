import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../../common/xml-tree.js';
import { parseMonthArg, SHOWBACK_COLUMNS } from './oneshowback.js';

test('month arguments: MM/YYYY, YYYY-MM, or a date whose month counts; nonsense refused', () => {
  assert.deepEqual(parseMonthArg('03/2026'), [3, 2026]);
  assert.deepEqual(parseMonthArg('2026-11'), [11, 2026]);
  assert.deepEqual(parseMonthArg('2026/1'), [1, 2026]);
  assert.deepEqual(parseMonthArg('2026-02-15'), [2, 2026]);
  assert.deepEqual(parseMonthArg('12/31/2025'), [12, 2025]);
  assert.equal(parseMonthArg('13/2026'), undefined);
  assert.equal(parseMonthArg('last month'), undefined);
});

test('showback rows: month as MM/YYYY, hours, running hours and the total cost', () => {
  const r = parseXmlTree(
    '<SHOWBACK><VMID>4</VMID><VMNAME>web</VMNAME><UID>2</UID><GID>1</GID><UNAME>ann</UNAME><GNAME>users</GNAME><YEAR>2026</YEAR><MONTH>3</MONTH>' +
      '<CPU_COST>1</CPU_COST><MEMORY_COST>2.50</MEMORY_COST><DISK_COST>0</DISK_COST><TOTAL_COST>3.50</TOTAL_COST><HOURS>10</HOURS><RHOURS>9.50</RHOURS></SHOWBACK>',
  );
  const shown = Object.fromEntries(SHOWBACK_COLUMNS.filter((c) => c.default !== false).map((c) => [c.name, c.value(r)]));
  assert.deepEqual(shown, { MONTH: '03/2026', VM_ID: '4', VM_NAME: 'web', GROUP_NAME: 'users', HOURS: '10', RUNNING_HOURS: '9.50', COST: '3.50' });
});

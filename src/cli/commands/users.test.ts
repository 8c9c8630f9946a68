import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXmlTree } from '../../common/xml-tree.js';
import { tableLines } from '../output.js';
import { ACL_COLUMNS } from './oneacl.js';
import { ACCT_COLUMNS } from './oneacct.js';
import { groupRows, groupShow, GROUP_COLUMNS } from './onegroup.js';
import { userRows, userShow, USER_COLUMNS } from './oneuser.js';

const USER_POOL =
  '<USER_POOL><USER><ID>0</ID><GID>0</GID><GROUPS><ID>0</ID></GROUPS><GNAME>oneadmin</GNAME><NAME>oneadmin</NAME><PASSWORD>x</PASSWORD><AUTH_DRIVER>core</AUTH_DRIVER><ENABLED>1</ENABLED><TEMPLATE/></USER>' +
  '<QUOTAS><ID>0</ID><VM_QUOTA/></QUOTAS>' +
  '<USER><ID>3</ID><GID>100</GID><GROUPS><ID>100</ID><ID>1</ID></GROUPS><GNAME>a-very-long-group</GNAME><NAME>ann</NAME><PASSWORD>y</PASSWORD><AUTH_DRIVER>public</AUTH_DRIVER><ENABLED>0</ENABLED><TEMPLATE/></USER>' +
  '<QUOTAS><ID>3</ID><VM_QUOTA><VM><CPU>2</CPU><CPU_USED>1</CPU_USED><MEMORY>2048</MEMORY><MEMORY_USED>512</MEMORY_USED><VMS>4</VMS><VMS_USED>1</VMS_USED></VM></VM_QUOTA></QUOTAS>' +
  '<DEFAULT_USER_QUOTAS/></USER_POOL>';

test('oneuser list: OpenNebula columns in 80 columns, quota cells, values cut to their width', () => {
  const lines = tableLines(USER_COLUMNS.filter((c) => c.default !== false), userRows(USER_POOL));
  assert.deepEqual(lines, [
    '  ID NAME            GROUP      AUTH           VMS            MEMORY         CPU',
    '   0 oneadmin        oneadmin   core       0 /   -      0M /       -    0 /    -',
    '   3 ann             a-very-lon public     1 /   4    512M /      2G    1 /    2',
  ]);
  assert.ok(lines.every((l) => l.length <= 80));
  assert.deepEqual(tableLines(USER_COLUMNS.filter((c) => c.name === 'ENABLED'), userRows(USER_POOL), { noHeader: true }).map((l) => l.trim()), ['yes', 'no']);
});

test('oneuser show: fields, secondary groups, template and quotas', () => {
  const xml = '<USER><ID>3</ID><GID>100</GID><GROUPS><ID>100</ID><ID>1</ID></GROUPS><GNAME>devs</GNAME><NAME>ann</NAME><PASSWORD>y</PASSWORD><AUTH_DRIVER>core</AUTH_DRIVER><ENABLED>1</ENABLED>' +
    '<TEMPLATE><EMAIL>ann@x</EMAIL></TEMPLATE><VM_QUOTA><VM><VMS>2</VMS><VMS_USED>1</VMS_USED></VM></VM_QUOTA><DEFAULT_USER_QUOTAS/></USER>';
  const lines = userShow(xml).split('\n');
  assert.equal(lines[0], 'USER 3 INFORMATION');
  assert.ok(lines.includes('GROUP           : devs'));
  assert.ok(lines.includes('SECONDARY GROUPS: 1'));
  assert.ok(lines.includes('EMAIL="ann@x"'));
  assert.ok(lines.includes('VMS USAGE & QUOTAS'));
});

test('onegroup list and show: members counted and listed', () => {
  const pool = '<GROUP_POOL><GROUP><ID>100</ID><NAME>devs</NAME><TEMPLATE/><USERS><ID>3</ID><ID>4</ID></USERS><ADMINS><ID>3</ID></ADMINS></GROUP><QUOTAS><ID>100</ID></QUOTAS><DEFAULT_GROUP_QUOTAS/></GROUP_POOL>';
  assert.deepEqual(tableLines(GROUP_COLUMNS, groupRows(pool)), [
    '  ID NAME                          USERS       VMS            MEMORY         CPU',
    ' 100 devs                              2   0 /   -      0M /       -    0 /    -',
  ]);
  const show = groupShow('<GROUP><ID>100</ID><NAME>devs</NAME><TEMPLATE/><USERS><ID>3</ID><ID>4</ID></USERS><ADMINS><ID>3</ID></ADMINS></GROUP>').split('\n');
  assert.deepEqual(show.slice(show.indexOf('USERS'), show.indexOf('ADMINS') + 3), ['USERS', 'ID', ' 3', ' 4', '', 'ADMINS', 'ID', ' 3']);
});

test('oneacl list: a letter per resource type and right', () => {
  const rules = parseXmlTree(
    '<ACL_POOL><ACL><ID>0</ID><STRING>@1 VM+NET+IMAGE+TEMPLATE/* CREATE #0</STRING></ACL>' +
      '<ACL><ID>7</ID><STRING>#3 HOST+VNTEMPLATE/%100 USE+MANAGE+ADMIN *</STRING></ACL></ACL_POOL>',
  ).children;
  assert.deepEqual(tableLines(ACL_COLUMNS, rules), [
    '   ID USER     RES_VHNIUTGDCOZSvRMAPt   RID OPE_UMAC  ZONE',
    '    0 @1       V-NI-T------------         * ---c        #0',
    '    7 #3       -H---------------t      %100 uma-         *',
  ]);
});

test('oneacct rows: action names, times, the VM\'s memory and CPU', () => {
  const h = parseXmlTree('<HISTORY><OID>5</OID><SEQ>1</SEQ><HOSTNAME>node01</HOSTNAME><STIME>0</STIME><ETIME>0</ETIME><ACTION>2</ACTION><VM><TEMPLATE><MEMORY>1536</MEMORY><CPU>0.5</CPU></TEMPLATE></VM></HISTORY>');
  const cells = Object.fromEntries(ACCT_COLUMNS.map((c) => [c.name, c.value(h)]));
  assert.deepEqual(cells, { VID: '5', SEQ: '1', HOSTNAME: 'node01', ACTION: 'live-migrate', START_TIME: '-', END_TIME: '-', MEMORY: '1.5G', CPU: '0.5', NAME: '' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../../common/xml-tree.js';
import { OneObject, parseObject } from '../../oca/index.js';
import { duration, pairs, permissionRows, subTable, templateText } from './show-sections.js';

test('durations as Dd HH:MM:SS', () => {
  assert.equal(duration(0), '0d 00:00:00');
  assert.equal(duration(3 * 86400 + 2 * 3600 + 5 * 60 + 9), '3d 02:05:09');
  assert.equal(duration(-5), '0d 00:00:00', 'a clock skew is not a negative time');
});

test('permissions and pairs', () => {
  const xml = '<X><PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS></X>';
  assert.deepEqual(permissionRows(parseObject(OneObject, xml)), [['OWNER', 'um-'], ['GROUP', 'u--'], ['OTHER', '---']]);
  assert.equal(pairs([['ID', '3']]), 'ID              : 3');
});

test('templates in template syntax, vectors included', () => {
  const t = parseXmlTree('<TEMPLATE><CPU>1</CPU><NIC><IP>10.0.0.1</IP><NETWORK>a "b"</NETWORK></NIC></TEMPLATE>');
  assert.equal(templateText(t), 'CPU="1"\nNIC=[\n  IP="10.0.0.1",\n  NETWORK="a \\"b\\""\n]');
});

test('small tables cut values to their widths', () => {
  const text = subTable([['ID', 3], ['NAME', 5, 'left']], [['1', 'abcdefgh'], ['22', 'x']]);
  assert.equal(text, ' ID NAME\n  1 abcde\n 22 x');
});

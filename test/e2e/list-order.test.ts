/** API_LIST_ORDER = "DESC": pool listings newest first, pages counted from the newest. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';

let oned: Oned;
before(async () => {
  oned = await Oned.start({ backend: 'sqlite', conf: 'API_LIST_ORDER = "DESC"' });
  for (let i = 0; i < 6; i++) await oned.ok('one.document.allocate', [`NAME = "d${i}"`, 0]);
});
after(() => oned?.stop());

const ids = async (params: number[]) =>
  parseXmlTree(String(await oned.ok('one.documentpool.info', params))).children.map((d) => Number(d.children.find((c) => c.name === 'ID')!.text));

test('listings come newest first', async () => {
  assert.deepEqual(await ids([-2, -1, -1]), [5, 4, 3, 2, 1, 0]);
  assert.deepEqual(await ids([-2, 1, 3]), [3, 2, 1]);
});

test('pages are taken from the newest', async () => {
  assert.deepEqual(await ids([-2, 0, -2]), [5, 4]);
  assert.deepEqual(await ids([-2, 2, -2]), [3, 2]);
  assert.deepEqual(await ids([-2, 5, -2]), [0]);
});

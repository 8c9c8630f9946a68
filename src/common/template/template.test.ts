import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template, type Vector } from './index.js';
import { plain } from './testing.js';

const vec = (...pairs: [string, string][]): Vector => new Map(pairs);

test('lookups are case-insensitive; get/getVector return the first of their kind', () => {
  const t = Template.parse('Name = web\nDISK = [ ID = 1 ]\nDISK = plain\nDISK = [ ID = 2 ]');
  assert.equal(t.get('name'), 'web');
  assert.equal(t.get('NAME'), 'web');
  assert.equal(t.get('disk'), 'plain');
  assert.deepEqual([...t.getVector('Disk')!], [['ID', '1']]);
  assert.equal(t.getVector('name'), undefined);
  assert.equal(t.get('missing'), undefined);
  assert.equal(t.has('nAmE'), true);
  assert.equal(t.has('missing'), false);
  assert.equal(t.size, 4);
});

test('lookups apply the ONE_ fix-up like storage does', () => {
  const t = Template.parse('1A = x\nxmlb = y');
  assert.equal(t.get('1a'), 'x');
  assert.equal(t.get('ONE_1A'), 'x');
  assert.equal(t.get('XMLB'), 'y');
});

test('getAll returns every same-name attribute in order, as a copy', () => {
  const t = Template.parse('DISK = [ ID = 1 ]\nA = 0\nDISK = [ ID = 2 ]');
  const disks = t.getAll('disk');
  assert.deepEqual(plain(disks), [
    ['DISK', [['ID', '1']]],
    ['DISK', [['ID', '2']]],
  ]);
  t.add('DISK', vec(['ID', '3']));
  assert.equal(disks.length, 2);
  assert.deepEqual(t.getAll('none'), []);
});

test('set replaces every same-name attribute, keeping the position of the first', () => {
  const t = Template.parse('A = 1\nB = 2\nA = 3\nC = 4');
  t.set('a', vec(['k', 'v']));
  assert.deepEqual(plain(t.attributes()), [
    ['A', [['K', 'v']]],
    ['B', '2'],
    ['C', '4'],
  ]);
  t.set('NEW', 'x');
  assert.deepEqual(t.attributes().map((a) => a.name), ['A', 'B', 'C', 'NEW']);
  assert.equal(t.get('a'), undefined);
  assert.deepEqual([...t.getVector('a')!], [['K', 'v']]);
});

test('add appends duplicates; in replace mode it behaves like set', () => {
  const multi = new Template();
  multi.add('a', '1');
  multi.add('B', '2');
  multi.add('A', '3');
  assert.deepEqual(plain(multi.attributes()), [
    ['A', '1'],
    ['B', '2'],
    ['A', '3'],
  ]);
  const single = new Template(multi.attributes(), { replaceMode: true });
  assert.equal(single.replaceMode, true);
  assert.deepEqual(plain(single.attributes()), [
    ['A', '3'],
    ['B', '2'],
  ]);
});

test('parse in replace mode keeps one attribute per name, with the last value', () => {
  const t = Template.parse('A = 1\nB = 2\nA = [ K = 3 ]\nA = 4', { replaceMode: true });
  assert.deepEqual(plain(t.attributes()), [
    ['A', '4'],
    ['B', '2'],
  ]);
  assert.equal(t.getAll('A').length, 1);
});

test('vector keys given by code are normalized; a key colliding after normalization keeps the first', () => {
  const t = new Template();
  t.set('disk', vec(['image_id', '3'], ['1x', 'a'], ['IMAGE_ID', '4']));
  assert.deepEqual([...t.getVector('DISK')!], [['IMAGE_ID', '3'], ['ONE_1X', 'a']]);
  assert.equal(t.toXml(), '<TEMPLATE><DISK><IMAGE_ID>3</IMAGE_ID><ONE_1X>a</ONE_1X></DISK></TEMPLATE>');
});

test('names no XML element could carry are refused', () => {
  const t = new Template();
  assert.throws(() => t.set('', 'x'), RangeError);
  assert.throws(() => t.add('A B', 'x'), RangeError);
  assert.throws(() => t.set('A<', 'x'), RangeError);
  assert.throws(() => t.set('V', vec(['K"', 'x'])), RangeError);
  assert.throws(() => new Template([{ name: 'A&', value: 'x' }]), RangeError);
  assert.equal(t.size, 0);
  t.set('1st', 'ok');
  assert.equal(t.attributes()[0]!.name, 'ONE_1ST');
});

test('remove deletes every attribute of the name and returns the count', () => {
  const t = Template.parse('A = 1\nB = 2\na = 3');
  assert.equal(t.remove('a'), 2);
  assert.equal(t.remove('A'), 0);
  assert.equal(t.has('A'), false);
  assert.deepEqual(plain(t.attributes()), [['B', '2']]);
  assert.equal(t.toXml(), '<TEMPLATE><B>2</B></TEMPLATE>');
  t.add('A', '4');
  assert.deepEqual(t.attributes().map((a) => a.name), ['B', 'A']);
});

test('merge: same names are replaced in place, new names appended, empty vectors delete', () => {
  const t = Template.parse('A = 1\nDISK = [ ID = 1 ]\nB = 2\nDISK = [ ID = 2 ]\nGONE = x\nC = 3');
  const update = Template.parse('disk = [ ID = 7 ]\nNEW = n\nDISK = [ ID = 8 ]\nB = 20\nGONE = []\nNOPE = []');
  t.merge(update);
  assert.deepEqual(plain(t.attributes()), [
    ['A', '1'],
    ['DISK', [['ID', '7']]],
    ['DISK', [['ID', '8']]],
    ['B', '20'],
    ['C', '3'],
    ['NEW', 'n'],
  ]);
  assert.equal(t.getAll('DISK').length, 2);
  // values were copied
  update.getVector('DISK')!.set('ID', 'changed');
  assert.equal(t.getVector('DISK')!.get('ID'), '7');
});

test('merge in replace mode keeps the last of each incoming name', () => {
  const t = Template.parse('A = 1\nB = 2', { replaceMode: true });
  t.merge(Template.parse('B = x\nB = y'));
  assert.deepEqual(plain(t.attributes()), [
    ['A', '1'],
    ['B', 'y'],
  ]);
});

test('merging a template into itself drops only its empty vectors', () => {
  const t = Template.parse('A = 1\nE = []\nA = 2');
  t.merge(t);
  assert.deepEqual(plain(t.attributes()), [
    ['A', '1'],
    ['A', '2'],
  ]);
});

test('clone is deep and keeps the mode', () => {
  const t = Template.parse('A = 1\nV = [ K = 1 ]', { replaceMode: true });
  const c = t.clone();
  assert.equal(c.replaceMode, true);
  assert.deepEqual(plain(c.attributes()), plain(t.attributes()));
  c.getVector('V')!.set('K', '2');
  c.set('A', '2');
  c.add('B', '3');
  assert.deepEqual(plain(t.attributes()), [
    ['A', '1'],
    ['V', [['K', '1']]],
  ]);
});

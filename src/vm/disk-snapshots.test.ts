import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { DiskSnapshots } from './disk-snapshots.js';

const tree = (s: DiskSnapshots) => [...s.snaps.values()].map((x) => `${x.id}<${x.parent}[${x.children.join(',')}]${s.active === x.id ? '*' : ''}`);

test('snapshots form a tree under the active one; ids never repeat', () => {
  const s = new DiskSnapshots(0);
  s.activate(s.create('a', 10, 1).id);
  s.activate(s.create('b', 10, 2).id);
  s.activate(0);
  s.activate(s.create('', 20, 3).id);
  assert.deepEqual(tree(s), ['0<-1[1,2]', '1<0[]', '2<0[]*']);
  assert.equal(s.get(2).name, 'snapshot-2');
  assert.equal(s.totalSize, 40);
  s.remove(1);
  assert.equal(s.create('c', 1, 4).id, 3, 'NEXT_SNAPSHOT goes on');
});

test('delete rules: not the active one, not one with children (unless ALLOW_ORPHANS=YES)', () => {
  const s = new DiskSnapshots(0);
  s.activate(s.create('a', 1, 1).id);
  s.activate(s.create('b', 1, 1).id);
  assert.equal(s.deleteError(1), 'snapshot 1 is the active one');
  assert.equal(s.deleteError(0), 'snapshot 0 has children (1)');
  assert.equal(s.deleteError(5), 'snapshot 5 does not exist');
  s.activate(0);
  assert.equal(s.deleteError(1), null);
  const orphans = new DiskSnapshots(0, 'YES');
  orphans.activate(orphans.create('a', 1, 1).id);
  orphans.activate(orphans.create('b', 1, 1).id);
  assert.deepEqual(tree(orphans), ['0<-1[]', '1<-1[]*'], 'no parents when orphans are allowed');
});

test('XML with 7.4\'s elements in its order (values as escaped text, as the project writes templates), and back', () => {
  const s = new DiskSnapshots(2);
  s.activate(s.create('a&b', 1024, 100).id);
  s.activate(s.create('c', 1024, 200).id);
  s.activate(0);
  const xml = s.toXml();
  assert.equal(
    xml,
    '<SNAPSHOTS><ALLOW_ORPHANS>NO</ALLOW_ORPHANS><CURRENT_BASE>-1</CURRENT_BASE><DISK_ID>2</DISK_ID><NEXT_SNAPSHOT>2</NEXT_SNAPSHOT>' +
      '<SNAPSHOT><ACTIVE>YES</ACTIVE><CHILDREN>1</CHILDREN><DATE>100</DATE><ID>0</ID><NAME>a&amp;b</NAME><PARENT>-1</PARENT><SIZE>1024</SIZE></SNAPSHOT>' +
      '<SNAPSHOT><DATE>200</DATE><ID>1</ID><NAME>c</NAME><PARENT>0</PARENT><SIZE>1024</SIZE></SNAPSHOT></SNAPSHOTS>',
  );
  const back = DiskSnapshots.fromXml(parseXmlTree(xml));
  assert.equal(back.toXml(), xml);
  assert.equal(back.clone(-1).toXml().includes('<DISK_ID>'), false, "an image's copy has no DISK_ID");
});

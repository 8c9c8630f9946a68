import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { VmBackups } from './vm-backups.js';

test('settings: TEMPLATE over USER_TEMPLATE over BACKUPS/BACKUP_CONFIG; defaults; bad values named', () => {
  const b = new VmBackups();
  b.set('KEEP_LAST', 4);
  const t = Template.parse('BACKUP_CONFIG = [ MODE = "increment" ]');
  const u = Template.parse('BACKUP_CONFIG = [ MODE = "FULL", BACKUP_VOLATILE = "YES" ]');
  assert.deepEqual(b.settings(t, u), { mode: 'INCREMENT', keepLast: 4, backupVolatile: true, fsFreeze: 'NONE' });
  assert.deepEqual(new VmBackups().settings(new Template()), { mode: 'FULL', keepLast: 0, backupVolatile: false, fsFreeze: 'NONE' });
  assert.throws(() => b.settings(Template.parse('BACKUP_CONFIG = [ KEEP_LAST = "-1" ]')), /KEEP_LAST must be a number of backups, got "-1"/);
  assert.throws(() => b.settings(Template.parse('BACKUP_CONFIG = [ FS_FREEZE = "cold" ]')), /FS_FREEZE must be NONE, AGENT or SUSPEND/);
});

test('XML: keys in order, ids ascending, read back; empty config as <BACKUP_CONFIG/>', () => {
  const b = new VmBackups();
  assert.equal(b.toXml(), '<BACKUPS><BACKUP_CONFIG/><BACKUP_IDS></BACKUP_IDS></BACKUPS>');
  b.set('MODE', 'FULL');
  b.set('LAST_BACKUP_ID', 'a&b');
  b.addId(7);
  b.addId(3);
  const xml = b.toXml();
  assert.equal(xml, '<BACKUPS><BACKUP_CONFIG><LAST_BACKUP_ID>a&amp;b</LAST_BACKUP_ID><MODE>FULL</MODE></BACKUP_CONFIG><BACKUP_IDS><ID>3</ID><ID>7</ID></BACKUP_IDS></BACKUPS>');
  const back = VmBackups.fromXml(parseXmlTree(xml));
  assert.equal(back.toXml(), xml);
  back.removeId(3);
  assert.deepEqual(back.ids, [7]);
});

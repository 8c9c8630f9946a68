/**
 * The quotas of users and groups live in the zone-local tables user_quotas and group_quotas
 * (schema 12; see docs/zones.md): bodies in user_pool and group_pool no longer hold them, they
 * survive a restart, and a schema-11 database, quotas inside the bodies, is upgraded at start
 * without losing a limit or a counter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { openDatabase } from '../../src/db/index.js';
import { addUser, databaseOf, must, okId, okXml, onEveryBackend } from './api-helpers.js';

onEveryBackend('user and group quotas in zone-local tables', (get) => {
  test('quotas are stored apart from the federated rows, and a schema-11 database is upgraded', async () => {
    const oned = get();
    const ann = await addUser(oned, 'quota-table-ann');
    await okId(oned, 'one.user.quota', [ann.id, 'VM = [ VMS = 3, CPU = -2, MEMORY = -2, SYSTEM_DISK_SIZE = -2 ]']);
    await okId(oned, 'one.group.quota', [1, 'VM = [ VMS = 40, CPU = -2, MEMORY = -2, SYSTEM_DISK_SIZE = -2 ]']);
    await okId(oned, 'one.vm.allocate', ['NAME = "qt-1"\nCPU = 0.1\nMEMORY = 32', true], ann.session);
    const vmQuota = (x: Awaited<ReturnType<typeof okXml>>) => must(must(x, 'VM_QUOTA'), 'VM');
    const before = await okXml(oned, 'one.user.info', [ann.id]);
    assert.deepEqual([childText(vmQuota(before), 'VMS'), childText(vmQuota(before), 'VMS_USED')], ['3', '1']);

    assert.equal(await oned.signal('SIGTERM'), 0);
    const db = await openDatabase(databaseOf(oned));
    const [user] = await db.query('SELECT * FROM user_pool WHERE oid = ?', [ann.id]);
    const [quotas] = await db.query('SELECT body FROM user_quotas WHERE oid = ?', [ann.id]);
    const [group] = await db.query('SELECT * FROM group_pool WHERE oid = 1');
    const [groupQuotas] = await db.query('SELECT body FROM group_quotas WHERE oid = 1');
    assert.doesNotMatch(String(user!.body), /<QUOTAS>/, 'the federated row holds no quotas');
    assert.match(String(quotas!.body), /<VMS>3<\/VMS>/);
    assert.match(String(groupQuotas!.body), /<VMS>40<\/VMS>/);
    // Back to schema 11: the quotas inside the bodies, no quota rows.
    const into = (body: unknown, tag: string, q: unknown) => String(body).replace(`</${tag}>`, `${String(q)}</${tag}>`);
    await db.write([
      { kind: 'upsert', table: 'user_pool', row: { ...user!, body: into(user!.body, 'USER', quotas!.body) } },
      { kind: 'upsert', table: 'group_pool', row: { ...group!, body: into(group!.body, 'GROUP', groupQuotas!.body) } },
      { kind: 'delete', table: 'user_quotas', where: { oid: ann.id } },
      { kind: 'delete', table: 'group_quotas', where: { oid: 1 } },
      // Schema 11 had neither migration 12 nor those after it.
      { kind: 'delete', table: 'db_versioning', where: { version: 12 } },
      { kind: 'delete', table: 'db_versioning', where: { version: 13 } },
    ]);
    await db.close();

    await oned.launch();
    const after = await okXml(oned, 'one.user.info', [ann.id]);
    assert.deepEqual([childText(vmQuota(after), 'VMS'), childText(vmQuota(after), 'VMS_USED')], ['3', '1']);
    assert.equal(childText(vmQuota(await okXml(oned, 'one.group.info', [1])), 'VMS'), '40');
    const check = await openDatabase(databaseOf(oned));
    const [upgraded] = await check.query('SELECT body FROM user_pool WHERE oid = ?', [ann.id]);
    const [row] = await check.query('SELECT body FROM user_quotas WHERE oid = ?', [ann.id]);
    await check.close();
    assert.doesNotMatch(String(upgraded!.body), /<QUOTAS>/, 'the upgrade took the quotas out of the body');
    assert.match(String(row!.body), /<VMS>3<\/VMS>/);
  });
});

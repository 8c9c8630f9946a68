import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openDatabase } from './index.js';
import { backupDatabase, checkDump, restoreDatabase } from './dump.js';
import { SCHEMA_VERSION } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'nebula-dump-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sqlite = () => openDatabase({ backend: 'sqlite', file: join(dir, `db-${++n}.db`) });

test('a dump restores every row, 64-bit integers and text exactly, gzipped or not', async () => {
  const source = await sqlite();
  await source.migrate();
  const big = 2n ** 62n + 1n;
  const body = '<USER><NAME>o\'neil "quoted" \u00e9\n</NAME></USER>';
  await source.write([
    { kind: 'upsert', table: 'user_pool', row: { oid: 7, name: 'x', body, uid: 7, gid: 1, owner_u: 1, group_u: 0, other_u: 0 } },
    { kind: 'upsert', table: 'acl', row: { oid: 3, userset: big, resource: 5, rights: 1, zone: 0 } },
  ]);
  for (const file of [join(dir, 'a.jsonl'), join(dir, 'a.jsonl.gz')]) {
    const summary = await backupDatabase(source, file);
    assert.equal(summary.schemaVersion, SCHEMA_VERSION);
    assert.equal(summary.rows, SCHEMA_VERSION + 2, 'the db_versioning rows and the two rows');
    const target = await sqlite();
    assert.deepEqual(await restoreDatabase(target, file), summary);
    assert.deepEqual(await target.query('SELECT * FROM user_pool'), await source.query('SELECT * FROM user_pool'));
    assert.deepEqual(await target.query('SELECT userset FROM acl'), [{ userset: big }]);
    assert.deepEqual(await target.query('SELECT * FROM db_versioning ORDER BY oid'), await source.query('SELECT * FROM db_versioning ORDER BY oid'));
    await assert.rejects(restoreDatabase(target, file), /not empty/);
    await target.close();
  }
  assert.match(gunzipSync(readFileSync(join(dir, 'a.jsonl.gz'))).toString(), /^\{"format":"nebula-ts-onedb"/);
  await source.close();
});

test('a file cut short, of another format or of a newer schema is refused before any write', async () => {
  const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8').trimEnd().split('\n');
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  await assert.rejects(checkDump(write('cut', lines.slice(0, -1).join('\n'))), /cut short/);
  await assert.rejects(checkDump(write('miscount', lines.filter((l) => !(l.startsWith('[7,') && l.includes('"x"'))).join('\n'))), /user_pool has 0 rows, its end line says 1/);
  await assert.rejects(checkDump(write('other', '{"hello":1}\n')), /not an onedb backup/);
  await assert.rejects(checkDump(write('text', 'INSERT INTO x;\n')), /not JSON/);
  const header = JSON.parse(lines[0]!) as Record<string, unknown>;
  const newer = [JSON.stringify({ ...header, schemaVersion: SCHEMA_VERSION + 1 }), ...lines.slice(1)].join('\n');
  await assert.rejects(checkDump(write('newer', newer)), /newer than the \d+ this program knows/);
  const target = await sqlite();
  await assert.rejects(restoreDatabase(target, join(dir, 'cut')), /cut short/);
  assert.equal(await target.schemaVersion(), 0, 'nothing written');
  await target.close();
});

test('an older backup is restored at its own version', async () => {
  const source = await sqlite();
  assert.deepEqual(await source.migrate(3), [1, 2, 3]);
  await backupDatabase(source, join(dir, 'v3.jsonl'));
  await source.close();
  const target = await sqlite();
  await restoreDatabase(target, join(dir, 'v3.jsonl'));
  assert.equal(await target.schemaVersion(), 3);
  assert.deepEqual(await target.migrate(), Array.from({ length: SCHEMA_VERSION - 3 }, (_, i) => i + 4));
  await target.close();
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { openDatabase } from '../index.js';

/**
 * The writer: eight concurrent loops, each writing one row at a time and printing its name once
 * write() has resolved. Bounded, so it ends by itself if nobody kills it.
 */
const WRITER = `
const [indexUrl, file] = process.argv.slice(1);
const { openDatabase } = await import(indexUrl);
const db = await openDatabase({ backend: 'sqlite', file });
let next = 0;
async function loop() {
  while (next < 100000) {
    const name = 'row-' + next++;
    await db.write([{ kind: 'upsert', table: 'system_attributes', row: { name, body: '<ACK/>' } }]);
    process.stdout.write(name + '\\n');
  }
}
await Promise.all(Array.from({ length: 8 }, loop));
`;

test('every write acknowledged before kill -9 is in the database after reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nebula-durability-'));
  try {
    const file = join(dir, 'one.db');
    const setup = await openDatabase({ backend: 'sqlite', file });
    await setup.migrate();
    await setup.close();

    const indexUrl = new URL('../index.js', import.meta.url).href;
    const writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER, indexUrl, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    createInterface({ input: writer.stdout }).on('line', (name) => {
      acknowledged.push(name);
      if (acknowledged.length === 500) writer.kill('SIGKILL');
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => writer.on('close', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', 'the writer must be killed mid-stream, not finish or fail');

    const db = await openDatabase({ backend: 'sqlite', file });
    try {
      const stored = new Set((await db.query('SELECT name FROM system_attributes')).map((row) => row['name']));
      const lost = acknowledged.filter((name) => !stored.has(name));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
      assert.ok(acknowledged.length >= 500);
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('statement texts first sent in a failed transaction are known to the writer afterwards', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-numbers-'));
  const db = await openDatabase({ backend: 'sqlite', file: join(dir, 'one.db') });
  try {
    await db.migrate();
    // The writer learns each SQL text once and is sent its number later: a transaction that fails
    // after its texts were sent must not shift the numbering of the ones that follow.
    const acl = (oid: number) => ({ kind: 'upsert', table: 'acl', row: { oid, userset: oid, resource: 2, rights: 3, zone: 4 } }) as const;
    const nameless = { kind: 'upsert', table: 'user_pool', row: { oid: 11, name: null, body: '' } } as const;
    await assert.rejects(db.write([acl(1), nameless]));
    await db.write([{ kind: 'upsert', table: 'system_attributes', row: { name: 'a', body: '<A/>' } }, acl(2)]);
    await db.write([{ kind: 'upsert', table: 'user_pool', row: { oid: 12, name: 'u12', body: '<U/>', uid: 12, gid: 0, owner_u: 1, group_u: 0, other_u: 0 } }]);
    assert.deepEqual(await db.query('SELECT oid FROM acl'), [{ oid: 2 }]);
    assert.deepEqual(await db.query("SELECT body FROM system_attributes WHERE name = 'a'"), [{ body: '<A/>' }]);
    assert.deepEqual(await db.query('SELECT name FROM user_pool WHERE oid = 12'), [{ name: 'u12' }]);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

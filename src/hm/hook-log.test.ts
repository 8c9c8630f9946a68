import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Write } from '../db/database.js';
import { splitArguments } from '../mad/index.js';
import { HookLog, joinArguments } from './hook-log.js';

test('arguments are joined so that they split back into the same words', () => {
  const words = ['plain', 'two words', "it's", '', 'a"b', 'back\\slash', 'UEQ5NGJXdz0='];
  assert.deepEqual(splitArguments(joinArguments(words)), words);
  assert.equal(joinArguments(['a', 'b c']), "a 'b c'");
});

function fakeDb(): Database & { writes: Write[][] } {
  const writes: Write[][] = [];
  return { writes, query: async () => [], write: async (w: readonly Write[]) => void writes.push([...w]) } as unknown as Database & { writes: Write[][] };
}

const result = (code: number) => `<EXECUTION_RESULT><COMMAND>c</COMMAND><STDOUT/><STDERR/><CODE>${code}</CODE></EXECUTION_RESULT>`;

test('runs get growing ids per hook, the oldest beyond the retention are dropped', async () => {
  const db = fakeDb();
  const log = new HookLog(db, 2);
  for (let i = 0; i < 3; i++) await log.add(5, { args: ['x', 'y z'], resultXml: result(i === 1 ? 3 : 0), rc: i === 1 ? 3 : 0 });
  await log.add(6, { args: [], resultXml: result(0), rc: 0, remoteHost: 'node1', retry: true });
  assert.deepEqual(log.executions(5).map((e) => e.executionId), [1, 2]);
  assert.deepEqual(log.get(5, 2)?.args, ['x', 'y z']);
  assert.deepEqual(db.writes[2]![1], { kind: 'delete', table: 'hook_log', where: { hkid: 5 }, below: { exeid: 1 } });
  assert.match(log.hookXml(6), /^<HOOKLOG><HOOK_EXECUTION_RECORD><HOOK_ID>6<\/HOOK_ID><EXECUTION_ID>0<\/EXECUTION_ID><TIMESTAMP>\d+<\/TIMESTAMP><ARGUMENTS><\/ARGUMENTS><EXECUTION_RESULT>.*<\/EXECUTION_RESULT><REMOTE_HOST>node1<\/REMOTE_HOST><RETRY>YES<\/RETRY><\/HOOK_EXECUTION_RECORD><\/HOOKLOG>$/);
  const ids = (rc: number, hookId = -1, minTs = -1, maxTs = -1) => [...log.filteredXml({ minTs, maxTs, hookId, rc }).matchAll(/<HOOK_ID>(\d+)<\/HOOK_ID><EXECUTION_ID>(\d+)/g)].map((m) => `${m[1]}/${m[2]}`);
  assert.deepEqual(ids(0), ['6/0', '5/1', '5/2']);
  assert.deepEqual(ids(-1), ['5/1']);
  assert.deepEqual(ids(1), ['6/0', '5/2']);
  assert.deepEqual(ids(0, 5), ['5/1', '5/2']);
  assert.deepEqual(ids(0, -1, Math.floor(Date.now() / 1000) + 10), []);
  log.forget(5);
  assert.deepEqual(ids(0), ['6/0']);
});

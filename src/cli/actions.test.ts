import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './command.js';
import { delaySeconds, eachId } from './actions.js';
import { RecordingContext } from './testing.js';

test('eachId acts on every id of a range, goes on past failures, reports them', async () => {
  const done: number[] = [];
  const ctx = new RecordingContext({ verbose: true });
  await eachId(ctx, 'host', ['1,3-4'], 'disabled', async (id) => void done.push(id));
  assert.deepEqual(done, [1, 3, 4]);
  assert.deepEqual(ctx.lines, ['HOST 1: disabled', 'HOST 3: disabled', 'HOST 4: disabled']);

  const one = new Error('[one.host.delete] Error getting host [3].');
  await assert.rejects(
    eachId(new RecordingContext(), 'host', '2,3', 'deleted', async (id) => {
      if (id === 3) throw one;
    }),
    (e) => e === one,
  );
  const tried: number[] = [];
  await assert.rejects(
    eachId(new RecordingContext(), 'host', '1-3', 'deleted', async (id) => {
      tried.push(id);
      if (id !== 2) throw new CliError(`no ${id}`);
    }),
    (e: unknown) => e instanceof CliError && e.message === '2 of 3 failed: no 1 / no 3',
  );
  assert.deepEqual(tried, [1, 2, 3]);
});

test('top delay', () => {
  assert.equal(delaySeconds(undefined), 1);
  assert.equal(delaySeconds('0.5'), 0.5);
  assert.throws(() => delaySeconds('soon'), CliError);
  assert.throws(() => delaySeconds('0'), CliError);
});

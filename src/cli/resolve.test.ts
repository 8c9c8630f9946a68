import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './command.js';
import { idByName, namedObjects, rangeWords } from './resolve.js';

test('ranges expand, lists split, names stay, repeats go', () => {
  assert.deepEqual(rangeWords('1,3-5'), ['1', '3', '4', '5']);
  assert.deepEqual(rangeWords(['2', 'web,2', '7-7']), ['2', 'web', '7']);
  assert.throws(() => rangeWords('5-3'), (e: unknown) => e instanceof CliError && /downwards/.test(e.message));
  assert.throws(() => rangeWords('1,,2'), CliError);
});

test('a name must match exactly one object; the error names the duplicates', () => {
  const objs = [
    { id: 0, name: 'node01' },
    { id: 4, name: 'web' },
    { id: 9, name: 'web' },
  ];
  assert.equal(idByName('host', 'node01', objs), 0);
  assert.throws(() => idByName('vm', 'web', objs), (e: unknown) => e instanceof CliError && /multiple VMs named "web" \(ids 4, 9\)/.test(e.message));
  assert.throws(() => idByName('host', 'nope', objs), (e: unknown) => e instanceof CliError && /host named "nope" not found/.test(e.message));
});

test('the members of a pool listing with their ids and names', () => {
  const xml = '<HOST_POOL><HOST><ID>3</ID><NAME>a</NAME><TEMPLATE><NAME>x</NAME></TEMPLATE></HOST><HOST><ID>5</ID><NAME>b</NAME></HOST></HOST_POOL>';
  assert.deepEqual(namedObjects(xml), [
    { id: 3, name: 'a' },
    { id: 5, name: 'b' },
  ]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, type CommandDef } from './command.js';
import { bashCompletion } from './completion.js';
import { commandHelp, subcommandHelp } from './help.js';
import { COMMON_OPTIONS, describeError, parseLine } from './run.js';
import { OneConnectionError, OneError } from '../oca/index.js';

const def: CommandDef = {
  name: 'onething',
  description: 'Manages things',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a thing',
      args: [{ name: 'NAME' }],
      options: [{ long: 'cluster', short: 'c', value: 'ID', description: 'Its cluster' }, { long: 'force', description: 'No questions' }],
      examples: ['onething create t1 --cluster 0'],
      run: async () => {},
    },
    { name: 'delete', description: 'Deletes things', args: [{ name: 'RANGE', kind: 'host', range: true, variadic: true }], run: async () => {} },
    { name: 'show', description: 'Shows a thing', args: [{ name: 'ID', kind: 'cluster', optional: true }], run: async () => {} },
  ],
};
const sub = (n: string) => def.subcommands.find((s) => s.name === n)!;
const usageError = (re: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === 1 && re.test(e.message);

test('arguments and options, long, short, inline, flags, lists', () => {
  const p = parseLine(def, ['t1', '-c', '3', '--force', '--filter', 'A=1', '--filter=B=2', '-lID,NAME'], sub('create'));
  assert.deepEqual(p.args, { NAME: 't1' });
  assert.deepEqual(p.options, { cluster: '3', force: true, filter: ['A=1', 'B=2'], list: 'ID,NAME' });
  assert.deepEqual(parseLine(def, ['1,2', 'web'], sub('delete')).args, { RANGE: ['1,2', 'web'] });
  assert.deepEqual(parseLine(def, [], sub('show')).args, {});
  assert.deepEqual(parseLine(def, ['--', '-x'], sub('create')).args, { NAME: '-x' });
});

test('usage mistakes are CliErrors with exit code 1 that point to --help', () => {
  assert.throws(() => parseLine(def, [], sub('create')), usageError(/Missing argument NAME \(usage: onething create NAME \[options\]\); see `onething create --help`/));
  assert.throws(() => parseLine(def, ['a', 'b'], sub('create')), usageError(/Too many arguments for onething create: b/));
  assert.throws(() => parseLine(def, ['a', '--nope'], sub('create')), usageError(/Unknown option --nope for onething create/));
  assert.throws(() => parseLine(def, ['a', '--cluster'], sub('create')), usageError(/--cluster needs a value \(ID\)/));
  assert.throws(() => parseLine(def, ['a', '--force=1'], sub('create')), usageError(/--force takes no value/));
  assert.throws(() => parseLine(def, [], sub('delete')), usageError(/Missing argument RANGE/));
  // --help needs no arguments
  assert.equal(parseLine(def, ['--help'], sub('create')).options.help, true);
});

test('help lists subcommands, arguments, options and examples', () => {
  const h = commandHelp(def, COMMON_OPTIONS);
  assert.match(h, /^Usage: onething COMMAND/);
  assert.match(h, /\n  create +Creates a thing\n  delete +Deletes things/);
  const s = subcommandHelp(def, sub('create'), COMMON_OPTIONS);
  assert.match(s, /Usage: onething create NAME \[options\]/);
  assert.match(s, /-c, --cluster ID +Its cluster/);
  assert.match(s, /Examples:\n  onething create t1 --cluster 0/);
  assert.match(subcommandHelp(def, sub('delete'), COMMON_OPTIONS), /RANGE +host ids, names or ranges/);
  for (const line of [...h.split('\n'), ...s.split('\n')]) assert.ok(line.length <= 80, line);
});

test('bash completion offers subcommands, options and names from the right command', () => {
  const c = bashCompletion(def, COMMON_OPTIONS);
  assert.match(c, /compgen -W "create delete show completion"/);
  assert.match(c, /create\) opts="--cluster -c --force"; listers=\(-\); variadic=0/);
  assert.match(c, /delete\) opts=""; listers=\(onehost\); variadic=1/);
  assert.match(c, /show\) opts=""; listers=\(onecluster\)/);
  assert.match(c, /complete -o default -F _onething onething$/);
});

test('failures become one line with the exit code', () => {
  assert.deepEqual(describeError(new CliError('bad', 1)), { message: 'bad', exitCode: 1 });
  assert.deepEqual(describeError(new OneError('one.host.info', '[one.host.info] Error getting host [9].', 0x400)), { message: '[one.host.info] Error getting host [9].', exitCode: 255 });
  assert.deepEqual(describeError(new OneConnectionError('Cannot reach oned')), { message: 'Cannot reach oned', exitCode: 255 });
  assert.deepEqual(describeError(new TypeError('x\n  at y')), { message: 'Error: x', exitCode: 255 });
});

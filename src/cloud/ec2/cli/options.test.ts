import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EconeError, type EconeCommand } from './command.js';
import { helpText, idList, parseCommandLine, usageLine } from './options.js';

const run: EconeCommand = {
  name: 'econe-run-instances',
  description: 'Runs instances.',
  args: [{ name: 'IMAGE-ID' }],
  options: [
    { long: 'type', short: 't', value: 'TYPE', description: 'type' },
    { long: 'user-data', short: 'd', value: 'DATA', description: 'data' },
  ],
  run: async () => undefined,
};

const failure = (argv: string[]) => {
  try {
    parseCommandLine(run, argv);
  } catch (err) {
    assert.ok(err instanceof EconeError);
    return err;
  }
  assert.fail('no error');
};

test('the 3.x short and long options, before or after the argument', () => {
  const p = parseCommandLine(run, ['-K', 'ann', '--secret-key=s3', '-U', 'http://h:1/', 'ami-00000001', '-t', 'm1.large', '-H', '-d', 'aGk=']);
  assert.deepEqual(p.args, ['ami-00000001']);
  assert.equal(p.options['access-key'], 'ann');
  assert.equal(p.options['secret-key'], 's3');
  assert.equal(p.options.url, 'http://h:1/');
  assert.equal(p.options.type, 'm1.large');
  assert.equal(p.options['user-data'], 'aGk=');
  assert.equal(p.options.headers, true);
});

test('mistakes are usage errors (exit code 1) in one line that points at --help', () => {
  const unknown = failure(['-x', 'ami-1']);
  assert.equal(unknown.exitCode, 1);
  assert.match(unknown.message, /Unknown option '-x'; see `econe-run-instances --help`$/);
  assert.doesNotMatch(unknown.message, /\n/);
  assert.match(failure([]).message, /missing IMAGE-ID \(usage: econe-run-instances \[OPTIONS\] IMAGE-ID\)/);
  assert.match(failure(['ami-1', 'ami-2']).message, /too many arguments: ami-2/);
  assert.match(failure(['ami-1', '-t']).message, /argument missing|Option '-t, --type <value>'/);
});

test('--help and --version need no arguments', () => {
  assert.equal(parseCommandLine(run, ['--help']).options.help, true);
  assert.equal(parseCommandLine(run, ['-V']).options.version, true);
});

test('the help lists the command options and the common ones', () => {
  const help = helpText(run);
  assert.match(help, /^Usage: econe-run-instances \[OPTIONS\] IMAGE-ID/);
  for (const o of ['-t, --type TYPE', '-K, --access-key ID', '-S, --secret-key KEY', '-U, --url URL', '-H, --headers', '-V, --version']) assert.ok(help.includes(o), o);
  assert.equal(usageLine({ ...run, args: [{ name: 'A' }, { name: 'B', optional: true }] }), 'econe-run-instances [OPTIONS] A [B]');
});

test('comma-separated id lists', () => {
  assert.deepEqual(idList('i-00000001,i-00000002, i-00000003,'), ['i-00000001', 'i-00000002', 'i-00000003']);
});

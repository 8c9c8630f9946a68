import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerArgs } from './server-args.js';

const fail = (m: string) => new RangeError(m);

test('--port, --host and --conf are read; nothing given is nothing set', () => {
  assert.deepEqual(parseServerArgs(['--port', '9870', '--host', '0.0.0.0', '--conf', '/etc/x.conf'], 'usage', fail), {
    help: false,
    port: 9870,
    host: '0.0.0.0',
    conf: '/etc/x.conf',
  });
  assert.deepEqual(parseServerArgs([], 'usage', fail), { help: false, port: undefined, host: undefined, conf: undefined });
  assert.deepEqual(parseServerArgs(['-p', '1', '--help', '--bogus'], 'usage', fail), { help: true });
});

test('a bad port, a missing value or an unknown option is the error fail makes', () => {
  assert.throws(() => parseServerArgs(['--port', '70000'], 'usage', fail), { name: 'RangeError', message: '--port must be a port number (0-65535), not "70000"' });
  assert.throws(() => parseServerArgs(['--port', 'x'], 'usage', fail), /not "x"/);
  assert.throws(() => parseServerArgs(['--conf'], 'usage: s', fail), { message: '--conf needs a value\nusage: s' });
  assert.throws(() => parseServerArgs(['--verbose'], 'usage: s', fail), { message: 'unknown option --verbose\nusage: s' });
});

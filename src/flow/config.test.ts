import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicSession } from './auth.js';
import { ConfigError, DEFAULTS, loadConfig } from './config.js';

test('the conf file sets keys with or without a colon; bad keys and values are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-conf-'));
  try {
    const file = join(dir, 'oneflow-server.conf');
    assert.deepEqual(loadConfig(join(dir, 'missing.conf')), DEFAULTS);
    writeFileSync(file, ':port: 2500\nlcm_interval: 2\n:default_cooldown: 0\n');
    const c = loadConfig(file);
    assert.deepEqual([c.port, c.lcm_interval, c.default_cooldown, c.host], [2500, 2, 0, '127.0.0.1']);
    for (const [text, msg] of [
      [':port: 70000\n', /port must be a positive number below 65536/],
      [':speed: 3\n', /unknown key ":speed"/],
      [':shutdown_action: poweroff\n', /shutdown_action must be terminate or terminate-hard/],
      [':host: [1\n', /not valid YAML/],
    ] as const) {
      writeFileSync(file, text);
      assert.throws(() => loadConfig(file), (e: unknown) => e instanceof ConfigError && msg.test(e.message), text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('basic auth gives user:password, or nothing for anything else', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  assert.equal(basicSession(`Basic ${b64('alice:pw:with:colons')}`), 'alice:pw:with:colons');
  assert.equal(basicSession(`Basic ${b64('alice')}`), undefined);
  assert.equal(basicSession(`Basic ${b64(':pw')}`), undefined);
  assert.equal(basicSession('Bearer abc'), undefined);
  assert.equal(basicSession(undefined), undefined);
});

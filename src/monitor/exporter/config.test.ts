import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, configPath, DEFAULTS, loadConfig } from './config.js';

function withConf(text: string, check: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'exporter-conf-'));
  try {
    const file = join(dir, 'opennebula-exporter.conf');
    writeFileSync(file, text);
    check(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the shipped conf reads as the defaults: 127.0.0.1, OpenNebula's port 9925", () => {
  assert.deepEqual(loadConfig(configPath('/nonexistent')), DEFAULTS);
  assert.equal(DEFAULTS.host, '127.0.0.1');
  assert.equal(DEFAULTS.port, 9925);
});

test('a site conf sets keys, with or without the leading colon', () => {
  withConf(':port: 9100\nhost: 0.0.0.0\ncache_ttl: 2.5\none_auth: /etc/one/exporter_auth\n', (file) => {
    assert.deepEqual(loadConfig(file), { ...DEFAULTS, port: 9100, host: '0.0.0.0', cache_ttl: 2.5, one_auth: '/etc/one/exporter_auth' });
  });
});

test('wrong values and unknown keys are refused with the file and key named', () => {
  withConf('port: 70000\n', (file) => assert.throws(() => loadConfig(file), (e: Error) => e instanceof ConfigError && /port must be a port number/.test(e.message)));
  withConf('cache_ttl: -1\n', (file) => assert.throws(() => loadConfig(file), /cache_ttl must be a number of seconds/));
  withConf('timeout: 0\n', (file) => assert.throws(() => loadConfig(file), /timeout must be a number of seconds \(at least 1\)/));
  withConf('cache: 3\n', (file) => assert.throws(() => loadConfig(file), /unknown key "cache"/));
});

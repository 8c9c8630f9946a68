import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, DEFAULTS, loadConfig } from './config.js';

function conf(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'sunstone-conf-')), 'sunstone-server.conf');
  writeFileSync(f, text);
  return f;
}

test('no file: the defaults (127.0.0.1:9869)', () => {
  assert.deepEqual(loadConfig(undefined), DEFAULTS);
  assert.deepEqual(loadConfig('/nonexistent/sunstone-server.conf'), DEFAULTS);
  assert.equal(DEFAULTS.host, '127.0.0.1');
  assert.equal(DEFAULTS.port, 9869);
});

test('keys override the defaults; OpenNebula-style :key names are accepted', () => {
  const c = loadConfig(conf(':port: 9999\nhost: 0.0.0.0\nsession_expiration: 60\n'));
  assert.equal(c.port, 9999);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.session_expiration, 60);
  assert.equal(c.poll_interval, DEFAULTS.poll_interval);
  const u = loadConfig(conf('upload_dir: /srv/uploads\nupload_limit_mb: 512\n'));
  assert.deepEqual([u.upload_dir, u.upload_limit_mb], ['/srv/uploads', 512]);
  assert.throws(() => loadConfig(conf('upload_limit_mb: -1\n')), /upload_limit_mb must be a positive number/);
});

test('bad values are refused with the key named', () => {
  assert.throws(() => loadConfig(conf('port: 70000\n')), (e: Error) => e instanceof ConfigError && /port must be a positive number below 65536/.test(e.message));
  assert.throws(() => loadConfig(conf('port: "abc"\n')), /port must be/);
  assert.throws(() => loadConfig(conf('colour: blue\n')), /unknown key "colour"/);
  assert.throws(() => loadConfig(conf('tls_cert: /a.pem\n')), /tls_cert and tls_key go together/);
  assert.throws(() => loadConfig(conf('port: [1\n')), /not valid YAML/);
  assert.throws(() => loadConfig(conf('- 1\n- 2\n')), /expected a mapping/);
});

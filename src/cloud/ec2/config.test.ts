import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configPath, DEFAULTS, loadConfig } from './config.js';

function withConf(text: string, check: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'econe-conf-'));
  try {
    const file = join(dir, 'econe.conf');
    writeFileSync(file, text);
    check(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the shipped econe.conf reads as the defaults', () => {
  const shipped = configPath('/nonexistent');
  assert.equal(shipped, resolve(import.meta.dirname, '../../../../share/etc/econe.conf'));
  assert.deepEqual(loadConfig(shipped), DEFAULTS);
});

test('keys with a colon, instance types with templates, and bad values refused', () => {
  withConf(':port: 8773\n:region: eu-one\n:instance_types:\n  web: { template: "web-tmpl", memory: 512 }\n  raw: { cpu: 1, memory: 256 }\n:default_instance_type: raw\n', (f) => {
    const c = loadConfig(f);
    assert.equal(c.port, 8773);
    assert.equal(c.region, 'eu-one');
    assert.deepEqual(c.instance_types.web, { template: 'web-tmpl', memory: 512 });
  });
  withConf('port: 70000\n', (f) => assert.throws(() => loadConfig(f), /port must be a whole number/));
  withConf('colour: blue\n', (f) => assert.throws(() => loadConfig(f), /unknown key "colour"/));
  withConf('instance_types:\n  bad: { cpu: 1 }\n', (f) => assert.throws(() => loadConfig(f), /needs a template, or cpu and memory/));
  withConf('instance_types:\n  t: { cpu: 1, memory: 64, disk: 3 }\ndefault_instance_type: t\n', (f) => assert.throws(() => loadConfig(f), /unknown key "disk"/));
  withConf('default_instance_type: nope\n', (f) => assert.throws(() => loadConfig(f), /not one of instance_types/));
  withConf('ssl_cert: /a.pem\n', (f) => assert.throws(() => loadConfig(f), /go together/));
  withConf('region: "Not A Region"\n', (f) => assert.throws(() => loadConfig(f), /region must be/));
  withConf(': [\n', (f) => assert.throws(() => loadConfig(f), /not valid YAML/));
});

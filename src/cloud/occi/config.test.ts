import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'occi-conf-'));
const conf = (text: string) => {
  const f = join(dir, `c${Math.random()}.conf`);
  writeFileSync(f, text);
  return f;
};

test('defaults: 127.0.0.1:4568, datastore 1, the three instance types of OpenNebula', () => {
  const c = loadConfig(join(dir, 'missing.conf'));
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 4568);
  assert.equal(c.datastore_id, 1);
  assert.deepEqual(c.instance_types.map((t) => [t.name, t.cpu, t.memory]), [['small', 1, 1024], ['medium', 4, 4096], ['large', 8, 8192]]);
  assert.equal(c.ssl_cert, undefined);
});

test('OpenNebula-style keys with colons, instance types with vcpu defaulting to the CPU rounded up', () => {
  const c = loadConfig(conf(':port: 5000\n:one_xmlrpc: http://h:2633/RPC2\n:instance_types:\n  :tiny:\n    :cpu: 0.5\n    :memory: 64\n  :wide: { cpu: 2, vcpu: 8, memory: 1024, description: "eight cores" }\n'));
  assert.equal(c.port, 5000);
  assert.equal(c.one_xmlrpc, 'http://h:2633/RPC2');
  assert.deepEqual(c.instance_types, [
    { name: 'tiny', cpu: 0.5, vcpu: 1, memory: 64, description: '0.5 CPU, 64 MB' },
    { name: 'wide', cpu: 2, vcpu: 8, memory: 1024, description: 'eight cores' },
  ]);
});

test('bad values are refused with the key named', () => {
  assert.throws(() => loadConfig(conf(':port: 70000\n')), (e: Error) => e instanceof ConfigError && /port must be a port number/.test(e.message));
  assert.throws(() => loadConfig(conf(':colour: blue\n')), /unknown key "colour"/);
  assert.throws(() => loadConfig(conf(':instance_types:\n  :small: { cpu: 0, memory: 1 }\n')), /instance_types.small.cpu must be a positive number/);
  assert.throws(() => loadConfig(conf(':instance_types:\n  :Big: { cpu: 1, memory: 1 }\n')), /instance type name "Big"/);
  assert.throws(() => loadConfig(conf(':ssl_cert: /c.pem\n')), /ssl_cert and ssl_key go together/);
  assert.throws(() => loadConfig(conf(':port: [\n')), /not valid YAML/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigReader, loadConfig } from './config.js';

function files(defaults: string, site?: string): [string, string] {
  const dir = mkdtempSync(join(tmpdir(), 'conf-'));
  writeFileSync(join(dir, 'defaults.conf'), defaults);
  if (site !== undefined) writeFileSync(join(dir, 'oned.conf'), site);
  return [join(dir, 'defaults.conf'), join(dir, 'oned.conf')];
}

const DEFAULTS = 'PORT = 2633\nDB = [ BACKEND = "sqlite", TIMEOUT = 2500 ]\nVM_MAD = [ NAME = "a" ]\nVM_MAD = [ NAME = "b" ]\n';

test('without a site file the defaults stand', () => {
  const c = new ConfigReader(loadConfig(...files(DEFAULTS)));
  assert.equal(c.int('PORT', 0), 2633);
  assert.equal(c.vector('DB').get('BACKEND'), 'sqlite');
});

test('a partial file overrides attribute by attribute, and single vectors key by key', () => {
  const c = new ConfigReader(loadConfig(...files(DEFAULTS, 'port = 3000\nDB = [ BACKEND = "postgresql", DB_NAME = "one" ]\n')));
  assert.equal(c.int('PORT', 0), 3000);
  const db = c.vector('DB');
  assert.deepEqual([db.get('BACKEND'), db.get('DB_NAME'), db.get('TIMEOUT')], ['postgresql', 'one', '2500']);
  assert.equal(c.template.getAll('VM_MAD').length, 2);
});

test('repeated attributes in the site file replace the whole default set', () => {
  const c = loadConfig(...files(DEFAULTS, 'VM_MAD = [ NAME = "kvm" ]\n'));
  assert.deepEqual(c.getAll('VM_MAD').map((a) => (a.value as Map<string, string>).get('NAME')), ['kvm']);
});

test('syntax errors name the file, line and column; bad integers name the key', () => {
  const [d, s] = files(DEFAULTS, 'PORT = 3000\nDB = [ BACKEND = \n');
  assert.throws(() => loadConfig(d, s), (e: unknown) => e instanceof ConfigError && e.message.includes(s) && /line 2/.test(e.message));
  const c = new ConfigReader(loadConfig(...files(DEFAULTS, 'PORT = abc\n')));
  assert.throws(() => c.int('PORT', 0), /PORT must be an integer, got "abc"/);
});

test('per-driver lists merge by NAME: a site entry replaces its default, the others stay', () => {
  const defaults = 'TM_MAD_CONF = [ NAME = "ssh", SHARED = "NO" ]\nTM_MAD_CONF = [ NAME = "shared", SHARED = "YES" ]\n';
  const c = new ConfigReader(loadConfig(...files(defaults, 'TM_MAD_CONF = [ NAME = "ssh", SHARED = "YES" ]\nTM_MAD_CONF = [ NAME = "mine", SHARED = "NO" ]\n')));
  const byName = new Map(c.template.getAll('TM_MAD_CONF').map((a) => [(a.value as Map<string, string>).get('NAME'), (a.value as Map<string, string>).get('SHARED')]));
  assert.deepEqual([...byName], [['shared', 'YES'], ['ssh', 'YES'], ['mine', 'NO']]);
});

test('restricted lists in a site file replace the whole default list', () => {
  const c = new ConfigReader(loadConfig(...files('VM_RESTRICTED_ATTR = "RAW"\nVM_RESTRICTED_ATTR = "NIC/BRIDGE"\n', 'VM_RESTRICTED_ATTR = "PCI"\n')));
  assert.deepEqual(c.template.getAll('VM_RESTRICTED_ATTR').map((a) => a.value), ['PCI']);
});

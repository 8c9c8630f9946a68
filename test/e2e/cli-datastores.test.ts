/**
 * onedatastore as an admin runs it against a real oned: create from a file, the table and show
 * view, --json matching --xml, update, rename, chmod, chown, enable/disable, delete.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xmlToJson } from '../../src/cli/output.js';
import { Oned } from './harness.js';
import { TEST_DRIVERS, addUser, onFeatureBackends } from './api-helpers.js';
import { cli, cliOk, rows } from './cli-helpers.js';

const HEADER = ['ID', 'NAME', 'SIZE', 'AVAIL', 'CLUSTERS', 'IMAGES', 'TYPE', 'DS', 'TM', 'STAT'];

/** A template file in a fresh directory; removed by the returned function. */
function templateFile(text: string): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-ds-'));
  writeFileSync(join(dir, 'ds.tmpl'), text);
  return { file: join(dir, 'ds.tmpl'), remove: () => rmSync(dir, { recursive: true }) };
}

onFeatureBackends('CLI onedatastore', (get) => {
  test('create from a file, list, show by name, --json matches --xml', async () => {
    const oned = get();
    const t = templateFile('NAME = "images2"\nDS_MAD = "fs"\nTM_MAD = "ssh"\n');
    try {
      assert.equal(await cliOk(oned, 'onedatastore', ['create', t.file]), 'ID: 100\n', 'user datastores get ids from 100 up');
    } finally {
      t.remove();
    }
    const table = rows(await cliOk(oned, 'onedatastore', ['list']));
    assert.deepEqual(table[0], HEADER);
    assert.deepEqual(
      table.slice(1).map((r) => [r[0], r[1], r[4], r[5], r[6], r[7], r[8], r[9]]),
      [
        ['100', 'images2', '0', '0', 'img', 'fs', 'ssh', 'on'],
        ['2', 'files', '0', '0', 'fil', 'fs', 'ssh', 'on'],
        ['1', 'default', '0', '0', 'img', 'fs', 'ssh', 'on'],
        ['0', 'system', '0', '0', 'sys', '-', 'ssh', 'on'],
      ],
    );
    const show = await cliOk(oned, 'onedatastore', ['show', 'images2']);
    assert.match(show, /^DATASTORE 100 INFORMATION\nID +: 100\nNAME +: images2\nUSER +: oneadmin\nGROUP +: oneadmin\nCLUSTERS +: 0\nTYPE +: IMAGE\nDS_MAD +: fs\nTM_MAD +: ssh\n/);
    assert.match(show, /\nPERMISSIONS\nOWNER +: um-\nGROUP +: u--\nOTHER +: ---\n/, 'datastores are usable by their group, as in OpenNebula');
    // What oned added from ssh's TM_MAD_CONF shows with the rest of the template.
    for (const line of ['ALLOW_ORPHANS="YES"', 'CLONE_TARGET="SYSTEM"', 'DISK_TYPE="FILE"', 'LN_TARGET="SYSTEM"', 'PERSISTENT_SNAPSHOTS="YES"']) {
      assert.ok(show.includes(`\n${line}\n`), line);
    }
    // The capacity is monitoring data: it may change between the two calls.
    const steady = (text: string) => text.replace(/<(TOTAL|FREE|USED)_MB>\d+<\/\1_MB>/g, '').replace(/"(TOTAL|FREE|USED)_MB": ?"\d+",?/g, '');
    const xml = steady((await cliOk(oned, 'onedatastore', ['show', 'images2', '--xml'])).trimEnd());
    const json = JSON.parse(steady(await cliOk(oned, 'onedatastore', ['show', 'images2', '--json'])).replace(/,(\s*})/g, '$1')) as unknown;
    assert.deepEqual(json, xmlToJson(xml));
  });
});

describe('CLI onedatastore on sqlite', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
  });
  after(() => oned.stop());

  test('update, rename, chmod, chown, disable/enable, delete, by name', async () => {
    const t = templateFile('NAME = "scratch"\nDS_MAD = "fs"\nTM_MAD = "ssh"\n');
    const extra = templateFile('TIER = "fast"\n');
    try {
      await cliOk(oned, 'onedatastore', ['create', t.file]);
      await cliOk(oned, 'onedatastore', ['update', 'scratch', '--append', extra.file]);
    } finally {
      t.remove();
      extra.remove();
    }
    const show = await cliOk(oned, 'onedatastore', ['show', 'scratch']);
    assert.match(show, /\nTIER="fast"\n/);
    assert.match(show, /\nDS_MAD="fs"\n/, '--append keeps the other attributes');

    await cliOk(oned, 'onedatastore', ['rename', 'scratch', 'scratch2']);
    await cliOk(oned, 'onedatastore', ['chmod', 'scratch2', '644']);
    const alice = await addUser(oned, 'alice');
    await cliOk(oned, 'onedatastore', ['chown', 'scratch2', 'alice', 'users']);
    assert.deepEqual(rows(await cliOk(oned, 'onedatastore', ['list', '-l', 'ID,NAME,USER,GROUP', '--filter', 'NAME=scratch2', '--no-header'])), [['100', 'scratch2', 'alice', 'users']]);
    const json = JSON.parse(await cliOk(oned, 'onedatastore', ['show', '100', '--json'])) as { DATASTORE: { UID: string; PERMISSIONS: Record<string, string> } };
    assert.equal(json.DATASTORE.UID, String(alice.id));
    assert.equal(json.DATASTORE.PERMISSIONS.GROUP_U, '1');
    assert.equal(json.DATASTORE.PERMISSIONS.OTHER_U, '1');
    assert.equal(json.DATASTORE.PERMISSIONS.OTHER_M, '0');

    await cliOk(oned, 'onedatastore', ['disable', 'system']);
    assert.equal(await cliOk(oned, 'onedatastore', ['list', '-l', 'STAT', '--filter', 'NAME=system', '--no-header']), 'off\n');
    await cliOk(oned, 'onedatastore', ['enable', '0']);
    assert.equal(await cliOk(oned, 'onedatastore', ['list', '-l', 'STAT', '--filter', 'NAME=system', '--no-header']), 'on\n');

    await cliOk(oned, 'onedatastore', ['delete', 'scratch2']);
    assert.equal(await cliOk(oned, 'onedatastore', ['list', '-l', 'NAME', '--no-header', '--csv']), 'files\ndefault\nsystem\n');
  });

  test('bad input: one line and a non-zero exit', async () => {
    const check = async (args: string[], code: number, message: RegExp) => {
      const r = await cli(oned, 'onedatastore', args);
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    };
    await check(['create', '/no/such.tmpl'], 255, /^Cannot read the template file \/no\/such\.tmpl: ENOENT/);
    await check(['chmod', 'default', '999'], 1, /^Permissions must be three octal digits, such as 640, not "999"/);
    await check(['chown', 'default', 'nobody'], 255, /^user named "nobody" not found/);
    await check(['disable', 'default'], 255, /^\[one\.datastore\.enable\] Only system datastores/);
    await check(['show', 'ghost'], 255, /^datastore named "ghost" not found/);
    await check(['delete', '1,5000'], 255, /^\[one\.datastore\.delete\] .*5000/);
  });
});

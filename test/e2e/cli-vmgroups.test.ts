/**
 * `onevmgroup` against a real oned (SQLite): create from a file, list (ID USER GROUP NAME VMS
 * ROLES), show (information, permissions, the ROLES table, template), role-add / role-update /
 * role-delete by options, file and role name, rename, chmod, chgrp, lock / unlock, update, and
 * oned's refusals as one line with exit 255.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliOk, rows } from './cli-helpers.js';
import { Oned } from './harness.js';
import { okId } from './api-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nebula-vmg-cli-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('onevmgroup on sqlite', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite' });
  });
  after(() => oned?.stop());

  test('create, list and show', async () => {
    const out = await cliOk(oned, 'onevmgroup', ['create', file('app.tmpl', 'NAME = "app"\nROLE = [ NAME = "db", POLICY = "AFFINED", HOST_AFFINED = "0" ]\nROLE = [ NAME = "web", POLICY = "ANTI_AFFINED" ]\nANTI_AFFINED = "db, web"')]);
    assert.equal(out.trim(), 'ID: 0');
    await okId(oned, 'one.vm.allocate', ['NAME = "w1"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_NAME = "app", ROLE = "web" ]']);
    const list = rows(await cliOk(oned, 'onevmgroup', ['list']));
    assert.deepEqual(list[0], ['ID', 'USER', 'GROUP', 'NAME', 'VMS', 'ROLES']);
    assert.deepEqual(list[1], ['0', 'oneadmin', 'oneadmin', 'app', '1', 'db,', 'web']);
    const show = await cliOk(oned, 'onevmgroup', ['show', 'app']);
    assert.match(show, /VM GROUP 0 INFORMATION/);
    assert.match(show, /LOCK +: None/);
    const roles = show.slice(show.indexOf('ROLES'), show.indexOf('TEMPLATE CONTENTS'));
    assert.deepEqual(rows(roles).slice(1), [
      ['ID', 'NAME', 'POLICY', 'AFFINED_HOSTS', 'ANTI_AFFINED_HOST', 'VIRTUAL_MACHINES'],
      ['0', 'db', 'AFFINED', '0', '-'],
      ['1', 'web', 'ANTI_AFFINED', '-', '-', '0'],
    ]);
    assert.match(show, /ANTI_AFFINED="db, web"/);
  });

  test('roles: add by options or file, update and delete by name; refusals are one line', async () => {
    await cliOk(oned, 'onevmgroup', ['role-add', 'app', '--name', 'cache', '--policy', 'AFFINED', '--host_anti_affined', '2,3']);
    await cliOk(oned, 'onevmgroup', ['role-add', 'app', file('role.tmpl', 'ROLE = [ NAME = "queue" ]')]);
    await cliOk(oned, 'onevmgroup', ['role-update', 'app', 'cache', '--policy', 'NONE']);
    let roles = rows((await cliOk(oned, 'onevmgroup', ['show', 'app'])).split('ROLES')[1]!.split('TEMPLATE CONTENTS')[0]!);
    assert.deepEqual(roles.slice(2).map((r) => r.slice(0, 4)), [['0', 'db', 'AFFINED', '0'], ['1', 'web', 'ANTI_AFFINED', '-'], ['2', 'cache', 'NONE', '-'], ['3', 'queue', '-', '-']]);
    await cliOk(oned, 'onevmgroup', ['role-delete', 'app', 'queue']);
    const bad = await cli(oned, 'onevmgroup', ['role-delete', 'app', 'web']);
    assert.equal(bad.code, 255, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /the role has assigned VMs/);
    const contradiction = await cli(oned, 'onevmgroup', ['create', file('bad.tmpl', 'NAME = "bad"\nROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nAFFINED = "a, b"\nANTI_AFFINED = "a, b"')]);
    assert.equal(contradiction.code, 255);
    assert.match(contradiction.stderr, /Roles defined in AFFINED and ANTI_AFFINED rules: a b/);
    const missing = await cli(oned, 'onevmgroup', ['role-update', 'app', 'nope', '--policy', 'NONE']);
    assert.match(missing.stderr, /Role "nope" not found in VM group 0/);
    roles = rows((await cliOk(oned, 'onevmgroup', ['show', 'app'])).split('ROLES')[1]!.split('TEMPLATE CONTENTS')[0]!);
    assert.equal(roles.length, 5);
  });

  test('rename, chmod, chgrp, lock and unlock, delete refused with VMs', async () => {
    await cliOk(oned, 'onevmgroup', ['rename', 'app', 'shop']);
    await cliOk(oned, 'onevmgroup', ['chmod', 'shop', '640']);
    await cliOk(oned, 'onevmgroup', ['chgrp', 'shop', 'users']);
    await cliOk(oned, 'onevmgroup', ['lock', 'shop']);
    let show = await cliOk(oned, 'onevmgroup', ['show', 'shop']);
    assert.match(show, /NAME +: shop/);
    assert.match(show, /GROUP +: users/);
    assert.match(show, /LOCK +: Use/);
    assert.match(show, /OWNER +: um-/);
    const locked = await cli(oned, 'onevmgroup', ['role-add', 'shop', '--name', 'x']);
    assert.equal(locked.code, 255);
    await cliOk(oned, 'onevmgroup', ['unlock', 'shop']);
    show = await cliOk(oned, 'onevmgroup', ['show', 'shop']);
    assert.match(show, /LOCK +: None/);
    const del = await cli(oned, 'onevmgroup', ['delete', 'shop']);
    assert.equal(del.code, 255);
    assert.match(del.stderr, /it has 1 VMs/);
  });
});

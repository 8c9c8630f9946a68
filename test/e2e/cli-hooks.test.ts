/**
 * `onehook` against a real oned: create from a file, list (ID NAME TYPE), show with its
 * execution log and `--execution` with the run's output, update, rename, lock/unlock, retry,
 * `log` with --hook / --success / --error / --since / --until, delete; bad input gives one line
 * and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { select } from '../../src/common/xml-tree.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import type { Oned } from './harness.js';
import { addUser, okXml, onFeatureBackends, sleep } from './api-helpers.js';

const DIR = mkdtempSync(join(tmpdir(), 'nebula-cli-hooks-'));
function file(name: string, text: string, mode = 0o644): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}
const ok = file('ok', '#!/bin/sh\necho "hello from the hook"\n', 0o755);
const bad = file('bad', '#!/bin/sh\necho "bad things" >&2\nexit 4\n', 0o755);

async function runs(o: Oned, hook: number, count: number): Promise<void> {
  const until = Date.now() + 8000;
  while (select(await okXml(o, 'one.hook.info', [hook]), 'HOOKLOG/HOOK_EXECUTION_RECORD').length < count) {
    if (Date.now() > until) assert.fail(`hook ${hook} did not run ${count} times`);
    await sleep(25);
  }
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, message);
}

onFeatureBackends('onehook', (oned) => {
  test('create, list, show, log, retry, update, rename, lock, delete', async () => {
    const o = oned();
    const created = await cliOk(o, 'onehook', ['create', file('good.tmpl', `NAME = "greeter"\nTYPE = "api"\nCALL = "one.user.allocate"\nCOMMAND = "${ok}"\nARGUMENTS = "$API"\n`)]);
    assert.match(created, /^ID: \d+/);
    const good = Number(/\d+/.exec(created)![0]);
    await cliOk(o, 'onehook', ['create', file('bad.tmpl', `NAME = "grumbler"\nTYPE = "state"\nRESOURCE = "HOST"\nSTATE = "INIT"\nCOMMAND = "${bad}"\n`)]);

    const list = rows(await cliOk(o, 'onehook', ['list']));
    assert.deepEqual(list[0], ['ID', 'NAME', 'TYPE']);
    assert.ok(list.some((r) => r[1] === 'greeter' && r[2] === 'api'));
    assert.ok(list.some((r) => r[1] === 'grumbler' && r[2] === 'state'));

    await addUser(o, 'cli-hook-user');
    await o.ok('one.host.allocate', ['cli-hook-host', 'dummy', 'dummy', -1]);
    await runs(o, good, 1);
    const badId = Number(rows(await cliOk(o, 'onehook', ['list'])).find((r) => r[1] === 'grumbler')![0]);
    await runs(o, badId, 1);

    const show = await cliOk(o, 'onehook', ['show', 'greeter']);
    assert.match(show, /HOOK \d+ INFORMATION/);
    assert.match(show, /TYPE\s+: api/);
    assert.match(show, /CALL="one\.user\.allocate"/);
    assert.match(show, /EXECUTION LOG\n\s+ID\s+TIMESTAMP\s+RC\s+EXECUTION\n\s+0\s+\S+ \S+\s+0\s+SUCCESS/);
    const run = await cliOk(o, 'onehook', ['show', 'greeter', '-e', '0']);
    assert.match(run, /EXIT CODE\s+: 0/);
    assert.match(run, /ARGUMENTS\s+: <CALL_INFO><RESULT>1<\/RESULT>/, 'the base64 CALL_INFO is shown decoded');
    assert.match(run, /EXECUTION STDOUT\nhello from the hook/);
    const failed = await cliOk(o, 'onehook', ['show', 'grumbler', '--execution', '0']);
    assert.match(failed, /EXIT CODE\s+: 4/);
    assert.match(failed, /EXECUTION STDERR\nbad things/);
    oneLineError(await cli(o, 'onehook', ['show', 'greeter', '-e', '9']), /Cannot find execution record 9/);

    const log = rows(await cliOk(o, 'onehook', ['log']));
    assert.deepEqual(log[0], ['HOOK', 'ID', 'TIMESTAMP', 'RC', 'EXECUTION']);
    assert.equal(log.length, 3);
    const errors = rows(await cliOk(o, 'onehook', ['log', '--error']));
    assert.deepEqual(errors.slice(1).map((r) => [r[0], r[4], r[5]]), [[String(badId), '4', 'ERROR']]);
    assert.deepEqual(rows(await cliOk(o, 'onehook', ['log', '--success'])).slice(1).map((r) => r[0]), [String(good)]);
    assert.deepEqual(rows(await cliOk(o, 'onehook', ['log', '--hook', 'grumbler'])).slice(1).map((r) => r[0]), [String(badId)]);
    assert.equal(await cliOk(o, 'onehook', ['log', '--since', String(Math.floor(Date.now() / 1000) + 60)]), '');
    assert.equal(await cliOk(o, 'onehook', ['log', '--until', '2001-01-01']), '');
    assert.match(await cliOk(o, 'onehook', ['log', '--xml']), /^<HOOKLOG><HOOK_EXECUTION_RECORD>/);
    oneLineError(await cli(o, 'onehook', ['log', '--since', 'someday']), /--since must be a date/);

    await cliOk(o, 'onehook', ['retry', 'grumbler', '0']);
    await runs(o, badId, 2);
    assert.match(await cliOk(o, 'onehook', ['show', 'grumbler', '-e', '1']), /RETRY\s+: YES/);

    await cliOk(o, 'onehook', ['update', 'greeter', file('more.tmpl', 'DESCRIPTION = "says hello"\n'), '--append']);
    assert.match(await cliOk(o, 'onehook', ['show', 'greeter']), /DESCRIPTION="says hello"/);
    oneLineError(await cli(o, 'onehook', ['update', 'greeter', file('worse.tmpl', 'CALL = "one.vm.nothing"\n'), '--append']), /API call does not exist/);
    await cliOk(o, 'onehook', ['rename', 'greeter', 'welcomer']);
    await cliOk(o, 'onehook', ['lock', 'welcomer']);
    assert.match(await cliOk(o, 'onehook', ['show', 'welcomer']), /LOCK\s+: Yes/);
    await cliOk(o, 'onehook', ['unlock', 'welcomer']);
    await cliOk(o, 'onehook', ['delete', 'welcomer,grumbler']);
    assert.equal(rows(await cliOk(o, 'onehook', ['list'])).length, 1);
    oneLineError(await cli(o, 'onehook', ['create', file('nocmd.tmpl', 'NAME = "x"\nTYPE = "api"\nCALL = "one.vm.allocate"\n')]), /No COMMAND in template for Hook/);
    oneLineError(await cli(o, 'onehook', ['show', 'nosuch']), /hook named "nosuch" not found/);
  });
});

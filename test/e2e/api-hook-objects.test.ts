/**
 * Hooks as API objects end to end: an api hook on one.vm.allocate gets the call's CALL_INFO
 * ($API, base64) and writes it to a file; a state hook on VM RUNNING gets the VM's XML
 * ($TEMPLATE); ARGUMENTS_STDIN; a failing command logged with its return code, stdout and
 * stderr; one.hooklog.info filters; one.hook.retry; bad templates refused with nothing stored;
 * update, rename, lock, delete (with its log), a restart, and who may do what.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, childInt, childText, parseXmlTree, select, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, must, okId, okXml, onFeatureBackends, refused, sleep, templateOf, waitFor } from './api-helpers.js';

const DIR = mkdtempSync(join(tmpdir(), 'nebula-hookobj-'));
function script(name: string, body: string): string {
  const path = join(DIR, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
// Decodes its first argument into <DIR>/<file> (replacing it), and says so on stdout.
const decode = script('decode', 'out=$1; shift; printf "%s" "$1" | base64 -d > "$out.tmp" && mv "$out.tmp" "$out"; echo "decoded $out"');
// Writes its stdin to <DIR>/stdin.
const fromStdin = script('from-stdin', `cat > ${join(DIR, 'stdin.tmp')} && mv ${join(DIR, 'stdin.tmp')} ${join(DIR, 'stdin')}`);
const fail = script('fail', 'echo "some output"; echo "it broke" >&2; exit 7');

/** The file's text once it exists. */
async function fileText(path: string, ms = 8000): Promise<string> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) assert.fail(`${path} was not written`);
    await sleep(25);
  }
  return readFileSync(path, 'utf8');
}

/** The hook's execution records once it has at least `count`. */
async function executions(o: Oned, id: number, count: number): Promise<XmlNode[]> {
  const until = Date.now() + 8000;
  for (;;) {
    const h = await okXml(o, 'one.hook.info', [id]);
    const records = select(h, 'HOOKLOG/HOOK_EXECUTION_RECORD');
    if (records.length >= count) return records;
    if (Date.now() > until) assert.fail(`hook ${id} has ${records.length} executions, wanted ${count}`);
    await sleep(25);
  }
}

const b64 = (n: XmlNode, path: string) => Buffer.from(select(n, path)[0]?.text ?? '', 'base64').toString('utf8');
const hookIds = async (o: Oned) => all(await okXml(o, 'one.hookpool.info', [-2, -1, -1]), 'HOOK').map((h) => childInt(h, 'ID'));

onFeatureBackends('hook objects', (oned) => {
  let apiHook = -1;
  let stateHook = -1;
  let failHook = -1;
  let vm = -1;
  const apiFile = join(DIR, 'api.xml');

  test('an api hook on one.vm.allocate gets the CALL_INFO of each call, base64', async () => {
    const o = oned();
    apiHook = await okId(o, 'one.hook.allocate', [`NAME = "on-vm-allocate"\nTYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "${decode}"\nARGUMENTS = "${apiFile} $API"`]);
    const h = await okXml(o, 'one.hook.info', [apiHook]);
    assert.deepEqual(h.children.map((c) => c.name), ['ID', 'NAME', 'TYPE', 'TEMPLATE', 'HOOKLOG']);
    assert.equal(childText(h, 'TYPE'), 'api');
    assert.deepEqual(templateOf(h), { CALL: 'one.vm.allocate', COMMAND: decode, ARGUMENTS: `${apiFile} $API`, REMOTE: 'NO' });

    vm = await okId(o, 'one.vm.allocate', ['NAME = "hooked"\nCPU = 1\nMEMORY = 64']);
    const info = parseXmlTree(await fileText(apiFile));
    assert.equal(info.name, 'CALL_INFO');
    assert.equal(childText(info, 'RESULT'), '1');
    const params = select(info, 'PARAMETERS/PARAMETER').map((p) => [childText(p, 'POSITION'), childText(p, 'TYPE'), childText(p, 'VALUE')]);
    assert.deepEqual(params[0], ['1', 'IN', 'oneadmin:****'], 'the session never shows its password');
    assert.match(params[1]![2]!, /NAME = "hooked"/);
    assert.deepEqual(params.filter((p) => p[1] === 'OUT'), [['1', 'OUT', '1'], ['2', 'OUT', String(vm)], ['3', 'OUT', '0']]);
    assert.equal(childInt(must(must(info, 'EXTRA'), 'VM'), 'ID'), vm, 'EXTRA holds the new VM');

    const [record] = await executions(o, apiHook, 1);
    assert.deepEqual(record!.children.map((c) => c.name), ['HOOK_ID', 'EXECUTION_ID', 'TIMESTAMP', 'ARGUMENTS', 'EXECUTION_RESULT']);
    assert.equal(childInt(record!, 'HOOK_ID'), apiHook);
    assert.equal(childInt(record!, 'EXECUTION_ID'), 0);
    assert.equal(childText(must(record!, 'EXECUTION_RESULT'), 'CODE'), '0');
    assert.equal(childText(must(record!, 'EXECUTION_RESULT'), 'COMMAND'), decode);
    assert.equal(b64(record!, 'EXECUTION_RESULT/STDOUT').trim(), `decoded ${apiFile}`);
    // A failed call runs the hook too, with RESULT 0.
    const r = await o.call('one.vm.allocate', ['CPU = [ broken']);
    assert.equal(r[0], false);
    await executions(o, apiHook, 2);
    assert.equal(childText(parseXmlTree(await fileText(apiFile)), 'RESULT'), '0');
  });

  test('the pool lists hooks without their log', async () => {
    const pool = await okXml(oned(), 'one.hookpool.info', [-2, -1, -1]);
    assert.equal(pool.name, 'HOOK_POOL');
    const h = all(pool, 'HOOK').find((x) => childInt(x, 'ID') === apiHook)!;
    assert.equal(child(h, 'HOOKLOG'), undefined);
  });

  test('a state hook on VM RUNNING gets the VM XML; ARGUMENTS_STDIN puts the arguments on stdin', async () => {
    const o = oned();
    stateHook = await okId(o, 'one.hook.allocate', [`NAME = "vm-running"\nTYPE = "state"\nRESOURCE = "VM"\nON = "RUNNING"\nCOMMAND = "${fromStdin}"\nARGUMENTS = "$TEMPLATE"\nARGUMENTS_STDIN = "yes"`]);
    const t = templateOf(await okXml(o, 'one.hook.info', [stateHook]));
    assert.equal(t.STATE, 'ACTIVE');
    assert.equal(t.LCM_STATE, 'RUNNING');
    assert.equal(t.ON, undefined, 'ON is turned into STATE and LCM_STATE');
    assert.equal(t.ARGUMENTS_STDIN, 'YES');
    const host = await okId(o, 'one.host.allocate', ['hook-host', 'dummy', 'dummy', -1]);
    await okId(o, 'one.vm.deploy', [vm, host]);
    await waitFor(o, vm, 3, 3);
    const xml = parseXmlTree(Buffer.from((await fileText(join(DIR, 'stdin'))).trim(), 'base64').toString('utf8'));
    assert.equal(xml.name, 'VM');
    assert.equal(childInt(xml, 'ID'), vm);
    assert.equal(childInt(xml, 'LCM_STATE'), 3);
    const [record] = await executions(o, stateHook, 1);
    assert.equal(childText(must(record!, 'EXECUTION_RESULT'), 'CODE'), '0');
  });

  test('a failing command is logged with its return code, stdout and stderr; oned goes on', async () => {
    const o = oned();
    failHook = await okId(o, 'one.hook.allocate', [`NAME = "fails"\nTYPE = "api"\nCALL = "one.user.allocate"\nCOMMAND = "${fail}"\nARGUMENTS = "$API 'two words'"`]);
    const missing = await okId(o, 'one.hook.allocate', [`NAME = "missing"\nTYPE = "api"\nCALL = "one.user.allocate"\nCOMMAND = "${join(DIR, 'no-such-command')}"`]);
    await addUser(o, 'hook-user');
    const [record] = await executions(o, failHook, 1);
    const result = must(record!, 'EXECUTION_RESULT');
    assert.equal(childText(result, 'CODE'), '7');
    assert.equal(b64(record!, 'EXECUTION_RESULT/STDOUT'), 'some output\n');
    assert.equal(b64(record!, 'EXECUTION_RESULT/STDERR'), 'it broke\n');
    assert.match(childText(record!, 'ARGUMENTS'), / 'two words'$/);
    const [gone] = await executions(o, missing, 1);
    assert.equal(childText(must(gone!, 'EXECUTION_RESULT'), 'CODE'), '-1');
    assert.match(b64(gone!, 'EXECUTION_RESULT/STDERR'), /ENOENT|not exist|no-such-command/);
    await okId(o, 'one.hook.delete', [missing]);
  });

  test('one.hooklog.info filters by time, hook and outcome', async () => {
    const o = oned();
    const log = async (min: number, max: number, hook: number, rc: number) =>
      select(await okXml(o, 'one.hooklog.info', [min, max, hook, rc]), 'HOOK_EXECUTION_RECORD').map((r) => `${childInt(r, 'HOOK_ID')}/${childInt(r, 'EXECUTION_ID')}`);
    const everything = await log(-1, -1, -1, 0);
    assert.ok(everything.includes(`${apiHook}/0`) && everything.includes(`${stateHook}/0`) && everything.includes(`${failHook}/0`), everything.join(' '));
    assert.deepEqual(await log(-1, -1, -1, -1), [`${failHook}/0`], 'rc -1: failed runs only');
    assert.ok(!(await log(-1, -1, -1, 1)).includes(`${failHook}/0`), 'rc 1: successful runs only');
    assert.deepEqual(await log(-1, -1, apiHook, 0), [`${apiHook}/0`, `${apiHook}/1`]);
    const now = Math.floor(Date.now() / 1000);
    assert.deepEqual(await log(now + 60, -1, -1, 0), [], 'nothing after a future time');
    assert.deepEqual(await log(-1, now - 3600, -1, 0), [], 'nothing before an hour ago');
    assert.equal((await log(now - 3600, now + 60, -1, 0)).length, everything.length);
  });

  test('one.hook.retry runs an execution again with the same arguments, logged with RETRY', async () => {
    const o = oned();
    const first = (await executions(o, failHook, 1))[0]!;
    assert.equal(await okId(o, 'one.hook.retry', [failHook, 0]), failHook);
    const records = await executions(o, failHook, 2);
    const retried = records[1]!;
    assert.equal(childInt(retried, 'EXECUTION_ID'), 1);
    assert.equal(childText(retried, 'RETRY'), 'YES');
    assert.equal(childText(retried, 'ARGUMENTS'), childText(first, 'ARGUMENTS'));
    assert.equal(childText(must(retried, 'EXECUTION_RESULT'), 'CODE'), '7');
    // The api hook again: its file is written anew from the stored CALL_INFO.
    writeFileSync(apiFile, '');
    await okId(o, 'one.hook.retry', [apiHook, 0]);
    const info = await (async () => {
      for (let i = 0; i < 320; i++) {
        const text = readFileSync(apiFile, 'utf8');
        if (text !== '') return parseXmlTree(text);
        await sleep(25);
      }
      assert.fail('the retried api hook did not write its file');
    })();
    assert.equal(childInt(must(must(info, 'EXTRA'), 'VM'), 'ID'), vm);
    await refused(o, 'one.hook.retry', [apiHook, 99], Code.NO_EXISTS, /no execution 99/);
    await refused(o, 'one.hook.retry', [999, 0], Code.NO_EXISTS, /\[999\]/);
  });

  test('bad templates are refused with clear messages and nothing stored', async () => {
    const o = oned();
    const before = await hookIds(o);
    const bad = async (template: string, message: RegExp) => refused(o, 'one.hook.allocate', [template], Code.ALLOCATE, message);
    await bad(`NAME = "b1"\nTYPE = "timer"\nCOMMAND = "${decode}"`, /No TYPE or invalid one.*"timer"/);
    await bad(`NAME = "b2"\nCOMMAND = "${decode}"`, /No TYPE or invalid one/);
    await bad('NAME = "b3"\nTYPE = "api"\nCALL = "one.vm.allocate"', /No COMMAND in template for Hook/);
    await bad(`NAME = "b4"\nTYPE = "api"\nCALL = "one.vm.nosuch"\nCOMMAND = "${decode}"`, /API call does not exist or is not supported: one\.vm\.nosuch/);
    await bad(`NAME = "b5"\nTYPE = "api"\nCALL = "one.vm.info"\nCOMMAND = "${decode}"`, /not supported: one\.vm\.info/);
    await bad(`NAME = "b6"\nTYPE = "api"\nCOMMAND = "${decode}"`, /API call does not exist/);
    await bad(`NAME = "b7"\nTYPE = "state"\nRESOURCE = "VM"\nON = "BOOTED"\nCOMMAND = "${decode}"`, /Unknown state condition: BOOTED/);
    await bad(`NAME = "b8"\nTYPE = "state"\nRESOURCE = "VM"\nON = "CUSTOM"\nSTATE = "ACTIV"\nLCM_STATE = "RUNNING"\nCOMMAND = "${decode}"`, /Wrong STATE: "ACTIV"/);
    await bad(`NAME = "b9"\nTYPE = "state"\nRESOURCE = "VM"\nON = "CUSTOM"\nSTATE = "ACTIVE"\nLCM_STATE = "RUNING"\nCOMMAND = "${decode}"`, /Wrong LCM_STATE: "RUNING"/);
    await bad(`NAME = "b10"\nTYPE = "state"\nRESOURCE = "TOASTER"\nSTATE = "ON"\nCOMMAND = "${decode}"`, /Invalid resource type: TOASTER/);
    await bad(`NAME = "b11"\nTYPE = "state"\nON = "RUNNING"\nCOMMAND = "${decode}"`, /RESOURCE attribute is required/);
    await bad(`NAME = "b12"\nTYPE = "state"\nRESOURCE = "HOST"\nSTATE = "BROKEN"\nCOMMAND = "${decode}"`, /Wrong STATE: "BROKEN" is not a HOST state/);
    await bad(`TYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "${decode}"`, /No NAME in template for Hook/);
    await bad(`NAME = "on-vm-allocate"\nTYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "${decode}"`, /NAME is already taken/);
    await bad('NAME = "b13"\nTYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "x"\nTIMEOUT = "soon"', /TIMEOUT must be a number/);
    assert.deepEqual(await hookIds(o), before);
    // A host state hook and an image state hook are accepted.
    const hostHook = await okId(o, 'one.hook.allocate', [`NAME = "host-error"\nTYPE = "state"\nRESOURCE = "HOST"\nSTATE = "error"\nREMOTE = "yes"\nCOMMAND = "ft/host_error"\nARGUMENTS = "$TEMPLATE -r"`]);
    assert.deepEqual(templateOf(await okXml(o, 'one.hook.info', [hostHook])), { RESOURCE: 'HOST', STATE: 'ERROR', REMOTE: 'YES', COMMAND: 'ft/host_error', ARGUMENTS: '$TEMPLATE -r' });
    await okId(o, 'one.hook.delete', [hostHook]);
  });

  test('update checks the new template (the hook stays as it was), rename and lock', async () => {
    const o = oned();
    await refused(o, 'one.hook.update', [apiHook, 'CALL = "one.nothing"', 1], Code.ACTION, /API call does not exist/);
    await refused(o, 'one.hook.update', [apiHook, 'CALL = "one.vm.allocate"', 0], Code.ACTION, /No COMMAND/);
    await refused(o, 'one.hook.update', [stateHook, 'LCM_STATE = "NOPE"', 1], Code.ACTION, /Wrong LCM_STATE/);
    assert.equal(templateOf(await okXml(o, 'one.hook.info', [apiHook])).CALL, 'one.vm.allocate');
    await okId(o, 'one.hook.update', [apiHook, 'CALL = "one.vm.action"\nDESCRIPTION = "hold"', 1]);
    const t = templateOf(await okXml(o, 'one.hook.info', [apiHook]));
    assert.equal(t.CALL, 'one.vm.action');
    assert.equal(t.DESCRIPTION, 'hold');
    await okId(o, 'one.hook.update', [stateHook, 'ON = "DONE"', 1]);
    assert.equal(templateOf(await okXml(o, 'one.hook.info', [stateHook])).STATE, 'DONE');
    await okId(o, 'one.hook.rename', [apiHook, 'on-vm-action']);
    assert.equal(childText(await okXml(o, 'one.hook.info', [apiHook]), 'NAME'), 'on-vm-action');
    await refused(o, 'one.hook.rename', [apiHook, 'fails'], Code.ACTION, /already taken/);
    await okId(o, 'one.hook.lock', [apiHook, 2]);
    assert.equal(childInt(must(await okXml(o, 'one.hook.info', [apiHook]), 'LOCK'), 'LOCKED'), 2);
    await refused(o, 'one.hook.update', [apiHook, 'A = 1', 1], Code.AUTHORIZATION, /lock/i);
    await okId(o, 'one.hook.unlock', [apiHook]);
    await okId(o, 'one.hook.update', [apiHook, 'A = 1', 1]);
  });

  test('only the oneadmin group reaches hooks', async () => {
    const o = oned();
    const user = await addUser(o, 'plain');
    await refused(o, 'one.hook.allocate', [`NAME = "mine"\nTYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "${decode}"`], Code.AUTHORIZATION, /./, user.session);
    await refused(o, 'one.hook.info', [apiHook], Code.AUTHORIZATION, /./, user.session);
    await refused(o, 'one.hook.retry', [failHook, 0], Code.AUTHORIZATION, /./, user.session);
    await refused(o, 'one.hook.delete', [apiHook], Code.AUTHORIZATION, /./, user.session);
    await refused(o, 'one.hooklog.info', [-1, -1, -1, 0], Code.AUTHORIZATION, /oneadmin group/, user.session);
    assert.deepEqual(all(await okXml(o, 'one.hookpool.info', [-2, -1, -1], user.session), 'HOOK'), []);
  });

  test('hooks and their logs are there after a restart; execution ids go on', async () => {
    const o = oned();
    // Runs 0 (hook-user), 1 (the retry) and 2 (the user "plain" of the test above).
    const before = (await executions(o, failHook, 3)).length;
    assert.equal(await o.signal('SIGTERM'), 0);
    await o.launch();
    const records = await executions(o, failHook, before);
    assert.equal(records.length, before);
    assert.equal(childText(records[1]!, 'RETRY'), 'YES');
    await okId(o, 'one.hook.retry', [failHook, 0]);
    const after = await executions(o, failHook, before + 1);
    assert.equal(childInt(after[after.length - 1]!, 'EXECUTION_ID'), childInt(records[records.length - 1]!, 'EXECUTION_ID') + 1);
    // The api hook still runs on its (updated) call.
    assert.equal(templateOf(await okXml(o, 'one.hook.info', [apiHook])).CALL, 'one.vm.action');
  });

  test('delete removes the hook and its log', async () => {
    const o = oned();
    await okId(o, 'one.hook.delete', [failHook]);
    await refused(o, 'one.hook.info', [failHook], Code.NO_EXISTS, /\[/);
    assert.deepEqual(select(await okXml(o, 'one.hooklog.info', [-1, -1, failHook, 0]), 'HOOK_EXECUTION_RECORD'), []);
    assert.ok(!(await hookIds(o)).includes(failHook));
  });
});

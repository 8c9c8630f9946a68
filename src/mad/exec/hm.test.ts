import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xmlElement } from '../../common/xml.js';
import { decodeHookCall, hookActions } from './hm.js';
import { ScriptRunner } from './script-runner.js';

const ctx = { signal: new AbortController().signal, log: () => {} };

function data(command: string, args: string[], host?: string): string {
  const xml = `<HOOK_DRIVER_ACTION_DATA>${xmlElement('NAME', 'h')}${xmlElement('COMMAND', command)}<ARGUMENTS>${args.map((a) => xmlElement('ARG', a)).join('')}</ARGUMENTS>${host ? xmlElement('HOST', host) : ''}</HOOK_DRIVER_ACTION_DATA>`;
  return Buffer.from(xml).toString('base64');
}

function setup(): { remotes: string; out: string; execute: (args: string[]) => Promise<{ ok: boolean; info?: string } | null> } {
  const remotes = mkdtempSync(join(tmpdir(), 'hm-remotes-'));
  const out = join(remotes, 'out');
  mkdirSync(join(remotes, 'hooks', 'ft'), { recursive: true });
  const script = join(remotes, 'hooks', 'ft', 'record');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > ${out}\necho recorded $#\n`);
  chmodSync(script, 0o755);
  const fail = join(remotes, 'hooks', 'fail');
  writeFileSync(fail, '#!/bin/sh\necho "ERROR MESSAGE --8<------\nno mail server\nERROR MESSAGE ------>8--" >&2\nexit 3\n');
  chmodSync(fail, 0o755);
  const runner = new ScriptRunner({ remotesDir: remotes, remoteDir: '/var/tmp/one', retries: 0, timeoutMs: 5000 });
  const handler = hookActions(runner).get('EXECUTE')!;
  return { remotes, out, execute: async (args) => handler({ action: 'EXECUTE', id: 3, args }, ctx) as Promise<{ ok: boolean; info?: string } | null> };
}

test('a hook under remotes/hooks runs with its arguments as argv and answers its stdout', async () => {
  const { out, execute } = setup();
  const r = await execute([data('ft/record', ['3', 'a b', '$(touch /tmp/x)'])]);
  assert.deepEqual(r, { ok: true, info: 'recorded 3' });
  assert.equal(readFileSync(out, 'utf8'), '3\na b\n$(touch /tmp/x)\n');
});

test('absolute commands run as they are; failures carry the message', async () => {
  const { remotes, execute } = setup();
  const r = await execute([data(join(remotes, 'hooks', 'fail'), [])]);
  assert.equal(r?.ok, false);
  assert.match(r?.info ?? '', /no mail server/);
  const missing = await execute([data('nosuch/hook', [])]);
  assert.equal(missing?.ok, false);
  assert.match(missing?.info ?? '', /hooks\/nosuch\/hook does not exist/);
  const remoteAbsolute = await execute([data('/bin/true', [], 'node01')]);
  assert.match(remoteAbsolute?.info ?? '', /must be relative to hooks\//);
});

test('bad action data is refused', async () => {
  const { execute } = setup();
  assert.equal((await execute(['bm90IHhtbA==']))?.ok, false);
  assert.throws(() => decodeHookCall(Buffer.from('<HOOK_DRIVER_ACTION_DATA/>').toString('base64')), /no COMMAND/);
});

test('logged runs answer the whole outcome: code, stdout and stderr (base64), stdin and timeout honoured', async () => {
  const { remotes, execute } = setup();
  const logged = (command: string, args: string[], extra = '') =>
    Buffer.from(`<HOOK_DRIVER_ACTION_DATA>${xmlElement('NAME', 'h')}${xmlElement('COMMAND', command)}<ARGUMENTS>${args.map((a) => xmlElement('ARG', a)).join('')}</ARGUMENTS>${extra}<LOG>YES</LOG></HOOK_DRIVER_ACTION_DATA>`).toString('base64');
  const outcome = (r: { ok: boolean; info?: string } | null) => {
    const xml = Buffer.from(r?.info ?? '', 'base64').toString('utf8');
    const field = (n: string) => /<(\w+)>([^<]*)<\//.exec(xml.slice(xml.indexOf(`<${n}>`)))?.[2] ?? '';
    return { ok: r?.ok, code: field('CODE'), stdout: Buffer.from(field('STDOUT'), 'base64').toString(), stderr: Buffer.from(field('STDERR'), 'base64').toString() };
  };
  assert.deepEqual(outcome(await execute([logged('ft/record', ['a'])])), { ok: true, code: '0', stdout: 'recorded 1\n', stderr: '' });
  const failed = outcome(await execute([logged(join(remotes, 'hooks', 'fail'), [])]));
  assert.equal(failed.ok, false);
  assert.equal(failed.code, '3');
  assert.match(failed.stderr, /no mail server/);
  const cat = join(remotes, 'hooks', 'cat');
  writeFileSync(cat, '#!/bin/sh\ncat\n');
  chmodSync(cat, 0o755);
  assert.equal(outcome(await execute([logged('cat', [], `<STDIN>${Buffer.from('from stdin').toString('base64')}</STDIN>`)])).stdout, 'from stdin');
  const slow = join(remotes, 'hooks', 'slow');
  writeFileSync(slow, '#!/bin/sh\nsleep 5\n');
  chmodSync(slow, 0o755);
  const timedOut = outcome(await execute([logged('slow', [], '<TIMEOUT>1</TIMEOUT>')]));
  assert.equal(timedOut.code, '-1');
  assert.match(timedOut.stderr, /Timeout/);
  assert.equal(outcome(await execute([logged('nosuch', [])])).code, '-1');
});

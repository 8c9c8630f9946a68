import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Driver, type DriverOptions } from './driver.js';
import type { LogLine, Reply } from './protocol.js';
import { binDriver, tempDir, writeScript } from './testing.js';

/** A driver that misbehaves on request; its first argument is its mode. */
const TEST_DRIVER = `
import { createInterface } from 'node:readline';
import { existsSync, writeFileSync } from 'node:fs';
const [mode = 'normal', marker] = process.argv.slice(2);
const out = (s) => process.stdout.write(s + '\\n');
const held = [];
if (mode === 'once' && existsSync(marker)) process.exit(4);
if (mode === 'once') writeFileSync(marker, '');
createInterface({ input: process.stdin }).on('line', (line) => {
  const [action, id, ...args] = line.trim().split(/\\s+/);
  switch (action) {
    case 'INIT':
      if (mode === 'init-failure') out('INIT FAILURE - no hypervisor here');
      else if (mode === 'exit-at-init') process.exit(2);
      else if (mode !== 'no-init') out('INIT SUCCESS -');
      break;
    case 'FINALIZE':
      if (mode !== 'ignore-finalize') process.exit(0);
      break;
    case 'ECHO': out(\`ECHO SUCCESS \${id} \${args.join(' ')}\`); break;
    case 'FAIL': out(\`FAIL FAILURE \${id} it broke\`); break;
    case 'GARBAGE':
      out('this is not a message'); out('ECHO MAYBE 1 x'); out('\\u0001\\u0002');
      out(\`GARBAGE SUCCESS \${id} survived\`);
      break;
    case 'HANG': break;
    case 'DIE': process.stderr.write('dying now\\n'); process.exit(3);
    case 'PARTIAL': process.stdout.write(\`PARTIAL SUCCESS \${id} cut-sho\`); process.exit(0);
    case 'HOLD':
      held.push(id);
      if (held.length === 2) { out(\`HOLD SUCCESS \${held[1]} second\`); out(\`HOLD SUCCESS \${held[0]} first\`); held.length = 0; }
      break;
    case 'LOGS':
      out(\`LOG I \${id} step one\`); out(\`LOG E \${id} step two\`); out('LOG I -1 for oned'); out(\`LOG I 999 other\`);
      out(\`LOGS SUCCESS \${id} done\`);
      break;
    case 'PUSH': out('MONITOR SUCCESS 77 pushed'); out(\`PUSH SUCCESS \${id} -\`); break;
    case 'SLOW': setTimeout(() => { out(\`SLOW SUCCESS \${id} late\`); out('LOG I -1 slow-done'); }, Number(args[0])); break;
    case 'DRIVER_CANCEL': out(\`LOG I -1 cancel \${id}\`); break;
  }
});
`;

const dir = tempDir('driver');
const script = writeScript(join(dir, 'test-driver.mjs'), TEST_DRIVER);

function testDriver(mode: string, options: Partial<DriverOptions> = {}, extraArgs: string[] = []): Driver {
  return new Driver({ name: 'test', command: process.execPath, args: [script, mode, ...extraArgs], ...options });
}

/** Collects callback values; `until` resolves once one matches. */
function recorder<T>() {
  const items: T[] = [];
  const waiters: { match: (v: T) => boolean; resolve: (v: T) => void }[] = [];
  return {
    items,
    add: (v: T) => {
      items.push(v);
      for (const w of waiters) if (w.match(v)) w.resolve(v);
    },
    until: (match: (v: T) => boolean) =>
      new Promise<T>((resolve) => {
        const seen = items.find(match);
        if (seen !== undefined) resolve(seen);
        else waiters.push({ match, resolve });
      }),
  };
}

test('INIT handshake, pipelined requests matched by action and id, replies in any order', async () => {
  const d = testDriver('normal');
  await d.start();
  assert.equal(d.state, 'ready');
  const echoes = await Promise.all(Array.from({ length: 50 }, (_, i) => d.request('ECHO', i, [`arg${i}`, 'x'])));
  echoes.forEach((r, i) => assert.deepEqual(r, { ok: true, info: `arg${i} x`, logs: [] }));
  const [first, second] = await Promise.all([d.request('HOLD', 1, []), d.request('HOLD', 2, [])]);
  assert.equal(first.info, 'first');
  assert.equal(second.info, 'second');
  assert.deepEqual(await d.request('FAIL', 3, []), { ok: false, info: 'it broke', logs: [] });
  assert.equal(d.inFlight, 0);
  await d.stop();
  assert.equal(d.state, 'stopped');
});

test('LOG lines are collected per request and all go to onLog; pushed messages go to onMessage', async () => {
  const logs: LogLine[] = [];
  const messages: Reply[] = [];
  const d = testDriver('normal', { onLog: (l) => logs.push(l), onMessage: (m) => messages.push(m) });
  await d.start();
  const r = await d.request('LOGS', 5, []);
  assert.deepEqual(r, { ok: true, info: 'done', logs: [{ severity: 'I', text: 'step one' }, { severity: 'E', text: 'step two' }] });
  assert.deepEqual(logs.map((l) => `${l.id} ${l.severity} ${l.text}`), ['5 I step one', '5 E step two', '-1 I for oned', '999 I other']);
  assert.deepEqual((await d.request('PUSH', 6, [])).ok, true);
  assert.deepEqual(messages, [{ type: 'reply', action: 'MONITOR', result: 'SUCCESS', id: 77, info: 'pushed' }]);
  await d.stop();
});

test('garbage lines are reported and skipped; the driver keeps working', async () => {
  const events: string[] = [];
  const d = testDriver('normal', { onEvent: (_l, m) => events.push(m) });
  await d.start();
  assert.deepEqual(await d.request('GARBAGE', 1, []), { ok: true, info: 'survived', logs: [] });
  assert.equal(events.filter((e) => e.includes('invalid line')).length, 3);
  assert.equal((await d.request('ECHO', 2, ['ok'])).info, 'ok');
  await d.stop();
});

test('arguments that could forge protocol lines are refused before anything is written', async () => {
  const d = testDriver('normal');
  await d.start();
  assert.throws(() => d.request('ECHO', 1, ['x\nFINALIZE']), RangeError);
  assert.throws(() => d.request('ECHO', 1, ['two words']), RangeError);
  assert.equal((await d.request('ECHO', 1, ['still-up'])).info, 'still-up');
  await d.stop();
});

test('a hung request times out, the driver is told to cancel it, its late reply is dropped', async () => {
  const logs = recorder<LogLine>();
  const messages: Reply[] = [];
  const events: string[] = [];
  const d = testDriver('normal', {
    onLog: logs.add,
    onMessage: (m) => messages.push(m),
    onEvent: (_l, m) => events.push(m),
  });
  await d.start();
  const hung = await d.request('HANG', 8, [], { timeoutMs: 100 });
  assert.deepEqual(hung, { ok: false, info: 'Timeout after 0.1 s: driver test did not answer HANG', logs: [] });
  await logs.until((l) => l.text === 'cancel 8');
  const slow = await d.request('SLOW', 9, ['300'], { timeoutMs: 50 });
  assert.equal(slow.ok, false);
  await logs.until((l) => l.text === 'slow-done');
  assert.deepEqual(messages, []);
  assert.ok(events.some((e) => e.includes('late reply to SLOW 9 ignored')), events.join('\n'));
  await d.stop();
});

test('a driver dying mid-request fails what it had in flight, is restarted, and serves again', async () => {
  const events: string[] = [];
  const stderr: string[] = [];
  const readyCount = { n: 0 };
  const d = testDriver('normal', {
    restart: { initialDelayMs: 20 },
    onEvent: (_l, m) => events.push(m),
    onStderr: (l) => stderr.push(l),
    onReady: () => readyCount.n++,
  });
  await d.start();
  const pending = d.request('HANG', 1, [], { timeoutMs: 10_000 });
  const died = await d.request('DIE', 2, []);
  assert.deepEqual(died, { ok: false, info: 'Driver test exited (code 3) before answering', logs: [] });
  assert.deepEqual(await pending, { ok: false, info: 'Driver test exited (code 3) before answering', logs: [] });
  assert.deepEqual(stderr, ['dying now']);
  // Sent while the driver restarts: queued, then answered by the new process.
  assert.equal((await d.request('ECHO', 3, ['again'])).info, 'again');
  assert.equal(readyCount.n, 2);
  assert.ok(events.some((e) => /restart attempt 1\/5/.test(e)), events.join('\n'));
  await d.stop();
});

test('restarts are bounded: a driver that keeps failing is given up and requests fail at once', async () => {
  const events: string[] = [];
  const d = testDriver('once', { restart: { initialDelayMs: 10, maxAttempts: 3 }, onEvent: (_l, m) => events.push(m) }, [
    join(tempDir('once'), 'started'),
  ]);
  await d.start();
  await d.request('DIE', 2, []);
  // Queued for the restart that never succeeds.
  const queued = d.request('ECHO', 1, ['never'], { timeoutMs: 20_000 });
  assert.deepEqual(await queued, { ok: false, info: 'Driver test is not running', logs: [] });
  assert.equal(d.state, 'failed');
  assert.ok(events.some((e) => e.includes('giving up after 3 restart attempts')), events.join('\n'));
  assert.equal((await d.request('ECHO', 3, ['x'])).info, 'Driver test is not running');
  await d.stop();
});

test('a driver given up is tried again every maxDelayMs and serves once it starts', async () => {
  const marker = join(tempDir('again'), 'started');
  const d = testDriver('once', { restart: { initialDelayMs: 10, maxAttempts: 2, maxDelayMs: 200 } }, [marker]);
  await d.start();
  await d.request('DIE', 1, []);
  while (d.state !== 'failed') await new Promise((r) => setTimeout(r, 10));
  assert.equal((await d.request('ECHO', 2, ['x'])).info, 'Driver test is not running');
  rmSync(marker);
  while ((d.state as string) !== 'ready') await new Promise((r) => setTimeout(r, 10));
  assert.equal((await d.request('ECHO', 3, ['back'])).info, 'back');
  await d.stop();
});

test('an answer cut short by the driver dying is dropped, not taken as the answer', async () => {
  const events: string[] = [];
  const d = testDriver('normal', { restart: { initialDelayMs: 10 }, onEvent: (_l, m) => events.push(m) });
  await d.start();
  assert.deepEqual(await d.request('PARTIAL', 4, []), { ok: false, info: 'Driver test exited (code 0) before answering', logs: [] });
  assert.ok(events.some((e) => e === 'Driver test ended with a line cut short: dropped: PARTIAL SUCCESS 4 cut-sho'), events.join('\n'));
  await d.stop();
});

test('start fails clearly: no INIT answer, INIT FAILURE, exit, missing program', async () => {
  await assert.rejects(testDriver('no-init', { initTimeoutMs: 200 }).start(), /Driver test did not answer INIT within 0.2 s/);
  await assert.rejects(testDriver('init-failure').start(), /Driver test answered INIT FAILURE: no hypervisor here/);
  await assert.rejects(testDriver('exit-at-init').start(), /Driver test exited \(code 2\)/);
  const missing = new Driver({ name: 'ghost', command: join(dir, 'no-such-driver') });
  await assert.rejects(missing.start(), /Driver ghost could not be started: .*ENOENT/);
  assert.equal(missing.state, 'stopped');
  assert.equal((await missing.request('ECHO', 1, [])).info, 'Driver ghost is not running');
});

test('stop kills a driver that ignores FINALIZE after the grace period', async () => {
  const d = testDriver('ignore-finalize', { stopTimeoutMs: 100 });
  await d.start();
  const pending = d.request('HANG', 1, []);
  await d.stop();
  assert.equal(d.state, 'stopped');
  assert.deepEqual(await pending, { ok: false, info: 'Driver test stopped', logs: [] });
});

test('the compiled dummy drivers answer through a Driver', async () => {
  const vmm = binDriver('one_vmm_dummy', []);
  const im = binDriver('one_im_dummy', ['-c', '1600', '-m', '2048']);
  await Promise.all([vmm.start(), im.start()]);
  assert.deepEqual(await vmm.request('DEPLOY', 5, ['PFZN']), { ok: true, info: 'one-5', logs: [] });
  assert.match((await vmm.request('POLL', 5, ['PFZN'])).info, /^STATE=a /);
  assert.deepEqual(await vmm.request('BOGUS', 5, []), { ok: false, info: 'Action BOGUS is not supported by one_vmm_dummy', logs: [] });
  const monitor = await im.request('MONITOR', 3, ['node7', '-', '1']);
  assert.equal(monitor.ok, true);
  const template = Buffer.from(monitor.info, 'base64').toString('utf8');
  assert.match(template, /^HYPERVISOR=dummy$/m);
  assert.match(template, /^HOSTNAME=node7$/m);
  assert.match(template, /^TOTALCPU=1600$/m);
  assert.match(template, /^FREEMEMORY=2097152$/m);
  await Promise.all([vmm.stop(), im.stop()]);
});

test('a driver started on demand spawns on its first request; a failed start fails that request with the reason; stop keeps it down', async () => {
  const d = testDriver('normal', { startOnDemand: true });
  assert.equal(d.state, 'stopped', 'nothing runs before a request');
  const first = await d.request('ECHO', 1, ['hello']);
  assert.deepEqual([first.ok, first.info], [true, 'hello']);
  assert.equal(d.state, 'ready');
  await d.stop();
  const after = await d.request('ECHO', 2, ['again']);
  assert.equal(after.ok, false, 'a stopped driver is not started again by a request');
  assert.equal(d.state, 'stopped');

  const bad = testDriver('init-failure', { startOnDemand: true, restart: { maxAttempts: 0 } });
  const r = await bad.request('ECHO', 3, ['x']);
  assert.equal(r.ok, false);
  assert.match(r.info, /INIT FAILURE: no hypervisor here/);
  assert.equal(bad.state, 'stopped');

  const eager = testDriver('normal');
  assert.equal((await eager.request('ECHO', 4, ['x'])).ok, false, 'without startOnDemand a request never starts it');
  assert.equal(eager.state, 'stopped');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Driver } from '../driver.js';
import { loadBuiltinDriver } from '../builtin/index.js';
import { DriverHost } from './host-client.js';
import { DriverHostServer } from './host-server.js';
import { encodeFrame, FrameDecoder, FrameType, type Frame } from './frames.js';

test('frames survive any cut of the byte stream; a broken stream is refused', () => {
  const sent = [
    encodeFrame(FrameType.OPEN, 1, JSON.stringify({ name: 'one_vmm_dummy', argv: [] })),
    encodeFrame(FrameType.DATA, 7, 'DEPLOY 3 a b c\n'),
    encodeFrame(FrameType.END, 0xffffffff),
    encodeFrame(FrameType.DATA, 2, Buffer.alloc(70_000, 'x')),
  ];
  const stream = Buffer.concat(sent);
  for (const step of [1, 5, 9, 100, stream.length]) {
    const got: Frame[] = [];
    const d = new FrameDecoder((f) => got.push(f));
    for (let i = 0; i < stream.length; i += step) d.push(stream.subarray(i, i + step));
    assert.deepEqual(
      got.map((f) => [f.type, f.channel, f.payload.length]),
      [
        [FrameType.OPEN, 1, sent[0]!.length - 9],
        [FrameType.DATA, 7, 15],
        [FrameType.END, 0xffffffff, 0],
        [FrameType.DATA, 2, 70_000],
      ],
      `in chunks of ${step}`,
    );
    assert.equal(got[1]!.payload.toString(), 'DEPLOY 3 a b c\n');
  }
  assert.throws(() => new FrameDecoder(() => {}).push(Buffer.from([42, 0, 0, 0, 1, 0, 0, 0, 0])), /Unknown frame type 42/);
});

/** A host server in this process, and what it sends back, by channel. */
function serverUnderTest() {
  const input = new PassThrough();
  const output = new PassThrough();
  const data = new Map<number, string>();
  const stderr = new Map<number, string>();
  const exits = new Map<number, { code: number | null; signal: string | null }>();
  let exited = false;
  const decoder = new FrameDecoder((f) => {
    if (f.type === FrameType.DATA) data.set(f.channel, (data.get(f.channel) ?? '') + f.payload.toString());
    if (f.type === FrameType.STDERR) stderr.set(f.channel, (stderr.get(f.channel) ?? '') + f.payload.toString());
    if (f.type === FrameType.EXIT) exits.set(f.channel, JSON.parse(f.payload.toString()));
  });
  output.on('data', (c: Buffer) => decoder.push(c));
  new DriverHostServer({ input, output, load: loadBuiltinDriver, onExit: () => (exited = true) }).start();
  const send = (type: (typeof FrameType)[keyof typeof FrameType], channel: number, payload: string | object = '') =>
    input.write(encodeFrame(type, channel, typeof payload === 'string' ? payload : JSON.stringify(payload)));
  const until = async (what: string, check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(check(), what);
  };
  return { input, data, stderr, exits, send, until, exited: () => exited };
}

test('host server: drivers on their own channels, each answering its own requests; bad ones exit alone', async () => {
  const s = serverUnderTest();
  // Requests written before the driver's modules are loaded wait for it.
  s.send(FrameType.OPEN, 1, { name: 'one_vmm_dummy', argv: [] });
  s.send(FrameType.DATA, 1, 'INIT\nDEPLOY 4 - - -\n');
  s.send(FrameType.OPEN, 2, { name: 'one_im_dummy', argv: ['-c', '200'] });
  s.send(FrameType.DATA, 2, 'INIT\n');
  s.send(FrameType.OPEN, 3, { name: 'one_tm', argv: ['-t', '0'] });
  s.send(FrameType.OPEN, 4, { name: 'one_nope', argv: [] });
  await s.until('both drivers answer', () => /DEPLOY SUCCESS 4/.test(s.data.get(1) ?? '') && /INIT SUCCESS/.test(s.data.get(2) ?? ''));
  assert.match(s.data.get(1)!, /^INIT SUCCESS -1/);
  assert.doesNotMatch(s.data.get(2)!, /DEPLOY/, 'a reply goes to the channel of its request only');
  await s.until('the bad drivers exit', () => s.exits.size === 2);
  assert.deepEqual(s.exits.get(3), { code: 1, signal: null });
  assert.match(s.stderr.get(3)!, /one_tm: -t expects an integer >= 1/);
  assert.deepEqual(s.exits.get(4), { code: 1, signal: null });
  assert.match(s.stderr.get(4)!, /No built-in driver 'one_nope'/);

  // FINALIZE ends one driver; a kill ends another at once; the host lives while drivers run.
  s.send(FrameType.DATA, 1, 'FINALIZE\n');
  await s.until('FINALIZE ends driver 1', () => s.exits.has(1));
  assert.deepEqual(s.exits.get(1), { code: 0, signal: null });
  s.send(FrameType.KILL, 2);
  await s.until('kill ends driver 2', () => s.exits.has(2));
  assert.deepEqual(s.exits.get(2), { code: null, signal: 'SIGKILL' });
  s.send(FrameType.OPEN, 5, { name: 'one_vmm_dummy', argv: [] });
  s.send(FrameType.DATA, 5, 'INIT\n');
  await s.until('driver 5 answers', () => /INIT SUCCESS/.test(s.data.get(5) ?? ''));
  assert.equal(s.exited(), false);
  // oned gone: the last driver ends, then the host.
  s.input.end();
  await s.until('the host exits once its drivers have', () => s.exited());
  assert.deepEqual(s.exits.get(5), { code: 0, signal: null });
});

const fast = { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 5, stableMs: 60_000 };

function hostedDriver(host: DriverHost, name: string, argv: string[], events: string[] = []): Driver {
  return new Driver({ name, command: 'unused', launch: () => host.spawn(name, argv), restart: fast, onEvent: (_l, m) => events.push(m) });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('driver host: two drivers in one process, as if each had its own; the host ends with the last', async () => {
  const host = new DriverHost();
  const vmm = hostedDriver(host, 'one_vmm_dummy', []);
  const im = hostedDriver(host, 'one_im_dummy', ['-c', '400', '-m', '2048']);
  await Promise.all([vmm.start(), im.start()]);
  const pid = host.pid!;
  assert.ok(alive(pid));
  assert.equal(host.size, 2, 'one process runs both');
  const [deploy, monitor] = await Promise.all([vmm.request('DEPLOY', 7, ['-', '-', '-']), im.request('MONITOR', 3, ['-', 'h3', '-'])]);
  assert.equal(deploy.ok, true);
  assert.match(deploy.info, /^one-7$/);
  assert.equal(monitor.ok, true);
  assert.match(Buffer.from(monitor.info, 'base64').toString(), /TOTALCPU=400/);
  assert.deepEqual(await im.request('DEPLOY', 1, ['-']), { ok: false, info: 'Action DEPLOY is not supported by one_im_dummy', logs: [] });
  // Requests of one event-loop turn go to the host as one frame: each still gets its own answer.
  const many = await Promise.all(Array.from({ length: 10 }, (_, i) => vmm.request('DEPLOY', 100 + i, ['-', '-', '-'])));
  assert.deepEqual(many.map((r) => r.info), Array.from({ length: 10 }, (_, i) => `one-${100 + i}`));

  await vmm.stop();
  assert.equal(vmm.state, 'stopped');
  assert.equal((await im.request('MONITOR', 4, ['-', 'h4', '-'])).ok, true, 'the other driver still serves');
  await im.stop();
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(alive(pid), false, 'no driver left: the host exited');

  // A driver that cannot start fails as a process would, with its message.
  const stderr: string[] = [];
  const bad = new Driver({ name: 'one_tm', command: 'unused', launch: () => host.spawn('one_tm', ['-t', 'x']), onStderr: (l) => stderr.push(l) });
  await assert.rejects(bad.start(), /Driver one_tm exited \(code 1\)/);
  assert.deepEqual(stderr, ["one_tm: -t expects an integer >= 1, got 'x'"]);
});

test('driver host: killed -9, every driver in it restarts in a new host and serves again', async () => {
  const host = new DriverHost();
  const events: string[] = [];
  const vmm = hostedDriver(host, 'one_vmm_dummy', [], events);
  const im = hostedDriver(host, 'one_im_dummy', [], events);
  try {
    await Promise.all([vmm.start(), im.start()]);
    const first = host.pid!;
    process.kill(first, 'SIGKILL');
    const restarted = (name: string) => events.some((e) => new RegExp(`Driver ${name} restarted`).test(e));
    for (let i = 0; i < 1000 && !(restarted('one_vmm_dummy') && restarted('one_im_dummy')); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(events.some((e) => /Driver one_vmm_dummy exited \(signal SIGKILL\); restart attempt 1/.test(e)), events.join('\n'));
    assert.ok(events.some((e) => /Driver one_im_dummy exited \(signal SIGKILL\); restart attempt 1/.test(e)), events.join('\n'));
    assert.equal(vmm.state, 'ready');
    assert.equal(im.state, 'ready');
    assert.notEqual(host.pid, first, 'a new host runs them');
    assert.equal(host.size, 2, 'both in the same new host');
    assert.equal((await vmm.request('DEPLOY', 10, ['-', '-', '-'])).info, 'one-10');
  } finally {
    await Promise.all([vmm.stop(), im.stop()]);
  }
});

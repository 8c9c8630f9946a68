import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { Hono } from 'hono';
import { errorResponse } from './errors.js';
import { addUploadRoute, removeStale, sanitizeName } from './upload.js';

const root = mkdtempSync(join(tmpdir(), 'nebula-upload-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

function app(limit = 1024) {
  const a = new Hono();
  a.onError((err, c) => errorResponse(c, err));
  addUploadRoute(a, { dir: join(root, 'up'), limit });
  return a;
}

/** A body that arrives in pieces and declares no length, as a stream does. */
function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(ctl) {
      for (const p of parts) ctl.enqueue(new TextEncoder().encode(p));
      ctl.close();
    },
  });
}

test('names keep their last component and safe characters only', () => {
  assert.equal(sanitizeName('disk.qcow2'), 'disk.qcow2');
  assert.equal(sanitizeName('../../etc/passwd'), 'passwd');
  assert.equal(sanitizeName('C:\\x\\my disk (1).img'), 'my_disk__1_.img');
  assert.equal(sanitizeName('..'), '');
  assert.equal(sanitizeName('.hidden'), 'hidden');
  assert.equal(sanitizeName(''), '');
});

test('a streamed body lands in a directory of its own under the upload directory', async () => {
  const res = await app().request('/api/upload?name=../../evil/boot.img', { method: 'POST', body: streamOf('abc', 'def'), duplex: 'half' } as RequestInit);
  assert.equal(res.status, 200);
  const { path } = (await res.json()) as { path: string };
  assert.equal(dirname(dirname(path)), join(root, 'up'));
  assert.ok(path.endsWith('/boot.img'));
  assert.equal(readFileSync(path, 'utf8'), 'abcdef');
});

test('empty bodies, missing names and bodies over the limit are refused and leave nothing behind', async () => {
  const before = existsSync(join(root, 'up')) ? readdirSync(join(root, 'up')).length : 0;
  const empty = await app().request('/api/upload?name=a.img', { method: 'POST', body: streamOf(), duplex: 'half' } as RequestInit);
  assert.equal(empty.status, 400);
  assert.match(((await empty.json()) as { error: string }).error, /empty/);
  const noName = await app().request('/api/upload', { method: 'POST', body: 'x' });
  assert.equal(noName.status, 400);
  const big = await app(5).request('/api/upload?name=a.img', { method: 'POST', body: streamOf('abc', 'def'), duplex: 'half' } as RequestInit);
  assert.equal(big.status, 413);
  assert.equal(readdirSync(join(root, 'up')).length, before);
});

test('upload directories older than a day are removed, newer ones kept', async () => {
  const dir = join(root, 'stale');
  mkdirSync(join(dir, 'old'), { recursive: true });
  mkdirSync(join(dir, 'new'), { recursive: true });
  const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
  utimesSync(join(dir, 'old'), twoDaysAgo, twoDaysAgo);
  assert.equal(await removeStale(dir), 1);
  assert.deepEqual(readdirSync(dir), ['new']);
});

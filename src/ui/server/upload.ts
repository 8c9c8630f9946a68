/**
 * `POST /api/upload?name=<file name>`: an image file sent from the browser, streamed to disk
 * (never held in memory: a 20 GiB disk image is a stream) in a directory oned's datastore
 * drivers can read on this machine. The answer is `{path}`; the app then registers the image
 * with `one.image.allocate` and `PATH=<path>`, and the datastore's driver copies it.
 *
 * The default directory is under /var/tmp because that is the SAFE_DIRS oned gives image
 * datastores by default (everything else under RESTRICTED_DIRS "/"), as Sunstone's tmpdir.
 * Each upload gets a random directory of its own, so names never collide and a name can never
 * point elsewhere; directories older than a day are removed when the server starts.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Hono } from 'hono';
import { HttpError } from './errors.js';

export const UPLOAD_DIR = '/var/tmp/nebula-upload';
/** 20 GiB: larger than any image worth sending through a browser. */
export const UPLOAD_LIMIT = 20 * 1024 ** 3;
const STALE_MS = 24 * 3600 * 1000;

export interface UploadOptions {
  dir?: string;
  limit?: number;
}

/**
 * A file name safe to keep: the last path component only, no control or shell-awkward
 * characters, never `.`/`..`, at most 200 characters. Empty when nothing usable is left.
 */
export function sanitizeName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '').slice(0, 200);
  return /^[_.]*$/.test(clean) ? '' : clean;
}

/** Removes upload directories older than a day (uploads whose image was registered long ago, or never). */
export async function removeStale(dir: string, now = Date.now()): Promise<number> {
  let removed = 0;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (now - (await stat(p)).mtimeMs > STALE_MS) {
        await rm(p, { recursive: true, force: true });
        removed++;
      }
    } catch {
      /* gone meanwhile or not ours to remove */
    }
  }
  return removed;
}

/** Adds the route to the app; the `/api/*` middleware has already checked the session and the CSRF token. */
export function addUploadRoute(app: Hono<any>, opts: UploadOptions = {}): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const dir = opts.dir ?? UPLOAD_DIR;
  const limit = opts.limit ?? UPLOAD_LIMIT;
  void removeStale(dir);

  app.post('/api/upload', async (c) => {
    const name = sanitizeName(c.req.query('name') ?? '');
    if (!name) throw new HttpError(400, 'Give the file a name (?name=...)');
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared === 0) throw new HttpError(400, 'The file is empty');
    if (declared > limit) throw new HttpError(413, `The file is larger than the upload limit (${limit} bytes)`);
    const body = c.req.raw.body;
    if (!body) throw new HttpError(400, 'The file is empty');

    await mkdir(dir, { recursive: true, mode: 0o755 });
    const own = join(dir, randomBytes(12).toString('hex'));
    await mkdir(own, { mode: 0o700 });
    const path = join(own, name);
    let size = 0;
    // Counts as it streams: a body without a length (or lying about it) stops at the limit.
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) done(new HttpError(413, `The file is larger than the upload limit (${limit} bytes)`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(body as WebReadableStream), meter, createWriteStream(path, { mode: 0o600 }));
      if (size === 0) throw new HttpError(400, 'The file is empty');
    } catch (err) {
      await rm(own, { recursive: true, force: true });
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, `The upload did not complete: ${(err as Error).message}`);
    }
    return c.json({ path, size });
  });
}

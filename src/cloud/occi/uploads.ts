/**
 * Files sent with `POST /storage` (multipart `file`): written, in a directory of their own, under
 * the configured tmpdir, where the datastore driver on this machine reads them (under /var/tmp
 * by default, oned's SAFE_DIRS for image datastores). resources.ts removes each once its image
 * is copied.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** Streams the file to `<tmpdir>/<random>/upload`; its path. */
export async function saveUpload(tmpdir: string, file: Blob): Promise<string> {
  const dir = join(tmpdir, randomBytes(12).toString('hex'));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, 'upload');
  try {
    await pipeline(Readable.fromWeb(file.stream() as unknown as WebReadableStream), createWriteStream(path, { mode: 0o644 }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return path;
}

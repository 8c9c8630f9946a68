/**
 * econe-upload's request: OpenNebula's UploadImage, a multipart/form-data POST with the fields
 * `Action=UploadImage` and `Version` and the image as the part `file`, signed with AWS Signature
 * Version 4 by the AWS SDK's own signer (@smithy/signature-v4). The body is streamed from the
 * file (its SHA-256, which the signature covers, is computed by a first read), so large images
 * are not held in memory. The answer is EC2 XML with the new image's `imageId`, or EC2's error XML.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, randomBytes, type BinaryLike } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { EconeError, type Credentials } from './command.js';

/** The EC2 API version the tools speak (the AWS SDK's). */
export const API_VERSION = '2016-11-15';

/** node:crypto as the SDK's checksum interface: SHA-256, or HMAC-SHA256 with a secret. */
class Sha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key: BinaryLike | undefined =
      secret === undefined || typeof secret === 'string' ? secret : secret instanceof ArrayBuffer ? new Uint8Array(secret) : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not used');
  }
}

export interface Multipart {
  readonly boundary: string;
  readonly head: Buffer;
  readonly tail: Buffer;
}

/** The parts before and after the file's bytes. */
export function multipartFrame(fields: Readonly<Record<string, string>>, fileName: string, boundary = `econe-${randomBytes(12).toString('hex')}`): Multipart {
  const safeName = fileName.replace(/["\r\n\\]/g, '_');
  let head = '';
  for (const [k, v] of Object.entries(fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { boundary, head: Buffer.from(head, 'utf8'), tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8') };
}

async function bodyHash(frame: Multipart, path: string): Promise<string> {
  const h = createHash('sha256').update(frame.head);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.update(frame.tail).digest('hex');
}

function bodyStream(frame: Multipart, path: string): ReadableStream<Uint8Array> {
  async function* parts() {
    yield frame.head;
    for await (const chunk of createReadStream(path)) yield chunk as Buffer;
    yield frame.tail;
  }
  return Readable.toWeb(Readable.from(parts())) as ReadableStream<Uint8Array>;
}

/** Text of the first `<name>` element of an XML answer. */
function xmlValue(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Uploads the file at `path`; resolves to the new image's id (`ami-...`). */
export async function uploadImage(url: string, credentials: Credentials, path: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (err) {
    throw new EconeError(`cannot read ${path}: ${(err as Error).message}`, 1);
  }
  const endpoint = new URL(url);
  const frame = multipartFrame({ Action: 'UploadImage', Version: API_VERSION }, basename(path));
  const headers: Record<string, string> = {
    host: endpoint.host,
    'content-type': `multipart/form-data; boundary=${frame.boundary}`,
    'content-length': String(frame.head.length + size + frame.tail.length),
    'x-amz-content-sha256': await bodyHash(frame, path),
  };
  const signer = new SignatureV4({ service: 'ec2', region: env.EC2_REGION ?? 'one', credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: endpoint.pathname || '/',
    query: {},
    headers,
  });
  const sent: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host' && k !== 'content-length') sent[k] = String(v);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { ...sent, 'content-length': headers['content-length']! },
    body: bodyStream(frame, path),
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  if (!res.ok) {
    const code = xmlValue(text, 'Code');
    const message = xmlValue(text, 'Message');
    throw new EconeError(code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${res.status} ${res.statusText}`);
  }
  const id = xmlValue(text, 'imageId');
  if (!id) throw new EconeError(`the server's answer has no imageId: ${text.slice(0, 200)}`);
  return id;
}

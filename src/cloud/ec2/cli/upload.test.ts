import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EconeError } from './command.js';
import { multipartFrame, uploadImage } from './upload.js';

test('the multipart frame: fields, then the file part; quotes in file names neutralised', () => {
  const f = multipartFrame({ Action: 'UploadImage' }, 'a"b.img', 'B');
  assert.equal(f.head.toString(), '--B\r\nContent-Disposition: form-data; name="Action"\r\n\r\nUploadImage\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a_b.img"\r\nContent-Type: application/octet-stream\r\n\r\n');
  assert.equal(f.tail.toString(), '\r\n--B--\r\n');
});

/** A stand-in server that records what came and answers with `reply`. */
async function withServer(status: number, reply: string, fn: (url: string, seen: { headers?: Record<string, string | string[] | undefined>; body?: Buffer }) => Promise<void>): Promise<void> {
  const seen: { headers?: Record<string, string | string[] | undefined>; body?: Buffer } = {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.headers = req.headers;
      seen.body = Buffer.concat(chunks);
      res.writeHead(status, { 'content-type': 'application/xml' }).end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, seen);
  } finally {
    server.close();
  }
}

test('a signed, streamed POST whose body hash is the one signed; the image id from the answer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'econe-upload-'));
  const file = join(dir, 'disk.img');
  writeFileSync(file, Buffer.alloc(300_000, 7));
  await withServer(200, '<UploadImageResponse><imageId>ami-00000009</imageId></UploadImageResponse>', async (url, seen) => {
    assert.equal(await uploadImage(url, { accessKeyId: 'ann', secretAccessKey: 's' }, file, {}), 'ami-00000009');
    const h = seen.headers!;
    assert.match(String(h.authorization), /^AWS4-HMAC-SHA256 Credential=ann\/\d{8}\/one\/ec2\/aws4_request, SignedHeaders=[^,]*content-type[^,]*host[^,]*x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    assert.equal(h['x-amz-content-sha256'], createHash('sha256').update(seen.body!).digest('hex'));
    assert.equal(Number(h['content-length']), seen.body!.length);
    const text = seen.body!.toString('latin1');
    assert.match(text, /name="Action"\r\n\r\nUploadImage\r\n/);
    assert.match(text, /name="Version"\r\n\r\n2016-11-15\r\n/);
    assert.match(text, /name="file"; filename="disk.img"/);
    assert.ok(seen.body!.includes(Buffer.alloc(300_000, 7)));
  });
});

test("the server's EC2 error, and a file that is not there", async () => {
  await withServer(401, '<Response><Errors><Error><Code>AuthFailure</Code><Message>bad key</Message></Error></Errors></Response>', async (url) => {
    const dir = mkdtempSync(join(tmpdir(), 'econe-upload-'));
    writeFileSync(join(dir, 'x'), 'x');
    await assert.rejects(uploadImage(url, { accessKeyId: 'a', secretAccessKey: 'b' }, join(dir, 'x'), {}), /^EconeError: AuthFailure: bad key$/);
    await assert.rejects(uploadImage(url, { accessKeyId: 'a', secretAccessKey: 'b' }, join(dir, 'nope'), {}), (e: unknown) => e instanceof EconeError && e.exitCode === 1 && /cannot read/.test(e.message));
  });
});

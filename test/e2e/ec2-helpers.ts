/**
 * Shared pieces of the EC2 end-to-end suites: econe-server as a process beside a test oned,
 * a user's EC2 key pair (its name and `EC2_SECRET_KEY`), an AWS SDK v3 client signed with it,
 * and Debian's AWS CLI v2 (`/usr/bin/aws`) run against the endpoint.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SignatureV4 } from '@smithy/signature-v4';
import { childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { freePort, type Oned } from './harness.js';

const ECONE_MAIN = resolve(import.meta.dirname, '../../src/cloud/ec2/main.js');

/** The AWS CLI v2 of Debian's awscli package (the `aws` on PATH may be a pip awscli 1.x). */
export const AWS_CLI = '/usr/bin/aws';

/** A running econe-server. */
export class EconeProcess {
  output = '';
  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
  ) {}

  /** Starts econe-server for `oned` (`conf`: econe.conf text written to $ONE_LOCATION/etc/econe.conf). */
  static async start(oned: Oned, conf?: string, extraArgs: string[] = []): Promise<EconeProcess> {
    if (conf !== undefined) writeFileSync(join(oned.location, 'etc', 'econe.conf'), conf);
    const port = await freePort();
    const proc = spawn(process.execPath, [ECONE_MAIN, '--port', String(port), ...extraArgs], {
      env: { ...process.env, ONE_LOCATION: oned.location, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((res, rej) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /the EC2 API is at (\S+)/.exec(output);
        if (m) res(m[1]!);
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => rej(new Error(`econe-server exited with ${code}:\n${output}`)));
    });
    const e = new EconeProcess(proc, url);
    e.output = output;
    proc.stdout!.on('data', (d: Buffer) => (e.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (e.output += d.toString()));
    return e;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((res) => {
      this.proc.once('exit', () => res());
      this.proc.kill('SIGTERM');
    });
  }
}

export interface Ec2Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A user's EC2 keys: its name and the EC2_SECRET_KEY oned shows it (read with its own session). */
export async function ec2KeysOf(oned: Oned, session: string): Promise<Ec2Keys> {
  const user = parseXmlTree(String(await oned.ok('one.user.info', [-1, true], session)));
  const template = user.children.find((c) => c.name === 'TEMPLATE')!;
  return { accessKeyId: childText(user, 'NAME'), secretAccessKey: childText(template, 'EC2_SECRET_KEY') };
}

/** An AWS SDK v3 EC2 client of the endpoint (no retries: a test sees the first answer). */
export function ec2Client(url: string, keys: Ec2Keys, region = 'one'): EC2Client {
  return new EC2Client({ endpoint: url, region, credentials: keys, maxAttempts: 1 });
}

export interface AwsCliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `/usr/bin/aws ec2 <args> --endpoint-url <url> --output json` with the keys in its environment. */
export function awsEc2(url: string, keys: Ec2Keys, args: readonly string[], region = 'one'): Promise<AwsCliResult> {
  return new Promise((res) => {
    execFile(
      AWS_CLI,
      ['ec2', ...args, '--endpoint-url', url, '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AWS_ACCESS_KEY_ID: keys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
          AWS_DEFAULT_REGION: region,
          AWS_MAX_ATTEMPTS: '1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function bytes(d: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof d === 'string') return d;
  return d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256 (and HMAC-SHA256 with a secret) as the SDK's signer wants it. */
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}

export interface SignedAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * POSTs the form `params`, signed with Signature V4 by the AWS SDK's own signer (at `date`, to
 * test times) or with Signature V2 (`v2`, HmacSHA256, as the 3.x tools sign).
 */
export async function signedFetch(url: string, keys: Ec2Keys, params: Record<string, string>, opts: { date?: Date; v2?: boolean; region?: string; presign?: boolean } = {}): Promise<SignedAnswer> {
  const u = new URL(url);
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: u.host };
  if (opts.v2) {
    form.set('AWSAccessKeyId', keys.accessKeyId);
    form.set('SignatureVersion', '2');
    form.set('SignatureMethod', 'HmacSHA256');
    form.set('Timestamp', (opts.date ?? new Date()).toISOString());
    const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonical = [...form].map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
    form.set('Signature', createHmac('sha256', keys.secretAccessKey).update(`POST\n${u.host}\n/\n${canonical}`).digest('base64'));
    const r = await fetch(url, { method: 'POST', headers, body: form.toString() });
    return { status: r.status, headers: r.headers, body: await r.text() };
  }
  const signer = new SignatureV4({ credentials: keys, region: opts.region ?? 'one', service: 'ec2', sha256: NodeSha256 });
  if (opts.presign) {
    // A presigned GET: the signature in the query string.
    const p = await signer.presign({ method: 'GET', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/', query: params, headers: { host: u.host } }, { signingDate: opts.date ?? new Date(), expiresIn: 300 });
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(p.query ?? {})) q.append(k, String(v));
    const r = await fetch(`${url.replace(/\/$/, '')}/?${q.toString().replace(/\+/g, '%20')}`);
    return { status: r.status, headers: r.headers, body: await r.text() };
  }
  const body = form.toString();
  const signed = await signer.sign({ method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers, body }, { signingDate: opts.date ?? new Date() });
  const r = await fetch(url, { method: 'POST', headers: signed.headers, body });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

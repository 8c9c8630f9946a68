/**
 * The EC2 client of the `econe-*` tools: the AWS SDK for JavaScript v3 (SigV4 signing, EC2's
 * Query protocol and XML answers), pointed at econe-server. Credentials come from -K/-S, else
 * EC2_ACCESS_KEY/EC2_SECRET_KEY (the 3.x variables), else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * (what `oneuser ec2-key` prints), else the ONE_AUTH user's own EC2 secret, read from oned through
 * the client library (3.x fell back to ONE_AUTH too).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { child, childText, parseXmlTree } from '../../../common/xml-tree.js';
import { Oca } from '../../../oca/index.js';
import { EconeError, type Credentials } from './command.js';

export const DEFAULT_URL = 'http://localhost:4567/';

type Env = Readonly<Record<string, string | undefined>>;

export function endpointUrl(option: string | undefined, env: Env = process.env): string {
  const url = option ?? env.EC2_URL ?? DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EconeError(`not a URL: ${url}`, 1);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new EconeError(`not an http(s) URL: ${url}`, 1);
  return url;
}

/** The key pair from the options or the environment; undefined when none is given. */
export function givenCredentials(access: string | undefined, secret: string | undefined, env: Env = process.env): Credentials | undefined {
  if (access !== undefined || secret !== undefined) {
    if (access === undefined || secret === undefined) throw new EconeError('give both --access-key and --secret-key', 1);
    return { accessKeyId: access, secretAccessKey: secret };
  }
  for (const [a, s] of [
    ['EC2_ACCESS_KEY', 'EC2_SECRET_KEY'],
    ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  ] as const) {
    if (env[a] && env[s]) return { accessKeyId: env[a]!, secretAccessKey: env[s]! };
  }
  return undefined;
}

/** The ONE_AUTH user's name and EC2 secret (`one.user.info(-1, decrypt)`). */
export async function oneAuthCredentials(): Promise<Credentials> {
  let one: Oca | undefined;
  try {
    one = new Oca();
    const user = parseXmlTree((await one.users.info(-1, true)).xml);
    const secret = childText(child(user, 'TEMPLATE') ?? user, 'EC2_SECRET_KEY');
    if (!secret) throw new EconeError(`user ${childText(user, 'NAME')} has no EC2 secret key`);
    return { accessKeyId: childText(user, 'NAME'), secretAccessKey: secret };
  } catch (err) {
    if (err instanceof EconeError) throw err;
    throw new EconeError(`no authorization data present (give -K and -S, or set EC2_ACCESS_KEY and EC2_SECRET_KEY); ONE_AUTH did not help: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    one?.close();
  }
}

export function makeClient(url: string, credentials: Credentials, env: Env = process.env): EC2Client {
  // The SDK warns on every run that its releases of 2027 will want Node 22: noise for a CLI user.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new EC2Client({
    endpoint: url,
    region: env.EC2_REGION ?? 'one',
    credentials,
    // A failed RunInstances is not retried behind the user's back.
    maxAttempts: 1,
  });
}

/**
 * One line for a failure: EC2's error code and message as the server sent them
 * (`AuthFailure: ...`), or why the server could not be reached.
 */
export function describeFailure(err: unknown, url: string, verbose = false): { message: string; exitCode: number } {
  if (err instanceof EconeError) return { message: err.message, exitCode: err.exitCode };
  const e = err as { name?: string; message?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  const firstLine = (s: string | undefined) => (s ?? '').split('\n')[0]!.trim();
  if (e && e.$metadata?.httpStatusCode !== undefined && e.name && e.$fault) {
    const id = verbose && e.$metadata.requestId ? ` (request ${e.$metadata.requestId}, HTTP ${e.$metadata.httpStatusCode})` : '';
    const msg = firstLine(e.message);
    return { message: `${e.name}${msg && msg !== e.name ? `: ${msg}` : ''}${id}`, exitCode: 255 };
  }
  const cause = (err as { cause?: { code?: string } })?.cause;
  const code = e?.code ?? cause?.code;
  if (code && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT|EAI_AGAIN)$/.test(code)) {
    return { message: `cannot reach ${url}: ${code}`, exitCode: 255 };
  }
  return { message: firstLine(err instanceof Error ? err.message : String(err)) || 'failed', exitCode: 255 };
}

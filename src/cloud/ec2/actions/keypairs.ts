/**
 * Key pairs, kept in the user's template as `EC2_KEYPAIRS = [ NAME_1, ID_1, TYPE_1,
 * FINGERPRINT_1, PUBLIC_KEY_1 (OpenSSH line), CREATED_1 (epoch) , ... ]`. CreateKeyPair makes an
 * RSA-2048 pair and returns the private key (PKCS#1 PEM) once; it is not kept. RunInstances
 * puts the public key in the instance's context (SSH_PUBLIC_KEY).
 */
import { createHash, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { UpdateMode } from '../../../oca/index.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, invalid } from '../errors.js';
import { applyFilters, isTagFilter, tagFilterValues } from '../paging.js';
import { numberedUpdate, readNumbered, serialized, templateNode } from '../records.js';
import { el, isoTime, itemSet, tagSet } from '../xml.js';

export const KEYPAIRS_ATTRIBUTE = 'EC2_KEYPAIRS';

export interface KeyPair {
  readonly name: string;
  readonly id: string;
  readonly type: 'rsa' | 'ed25519';
  readonly fingerprint: string;
  /** `ssh-rsa AAAA... name`. */
  readonly publicKey: string;
  readonly created: number;
}

/** The user's key pairs. */
export async function keyPairsOf(ctx: Ec2Context): Promise<KeyPair[]> {
  const user = await ctx.one.users.info(ctx.user.id);
  return readNumbered(templateNode(user, 'TEMPLATE'), KEYPAIRS_ATTRIBUTE)
    .filter((r) => r.NAME && r.PUBLIC_KEY)
    .map((r) => ({ name: r.NAME!, id: r.ID ?? '', type: r.TYPE === 'ed25519' ? 'ed25519' : 'rsa', fingerprint: r.FINGERPRINT ?? '', publicKey: r.PUBLIC_KEY!, created: Number(r.CREATED ?? 0) }));
}

async function writeKeyPairs(ctx: Ec2Context, pairs: readonly KeyPair[]): Promise<void> {
  const rows = pairs.map((p) => ({ NAME: p.name, ID: p.id, TYPE: p.type, FINGERPRINT: p.fingerprint, PUBLIC_KEY: p.publicKey, CREATED: String(p.created) }));
  await ctx.one.users.update(ctx.user.id, numberedUpdate(KEYPAIRS_ATTRIBUTE, rows), UpdateMode.MERGE);
}

/** Changes the user's key pairs, one change at a time per user. */
function editKeyPairs<T>(ctx: Ec2Context, edit: (pairs: KeyPair[]) => { pairs: KeyPair[]; result: T }): Promise<T> {
  return serialized(`user:${ctx.user.id}`, async () => {
    const { pairs, result } = edit(await keyPairsOf(ctx));
    await writeKeyPairs(ctx, pairs);
    return result;
  });
}

function keyName(ctx: Ec2Context): string {
  const name = ctx.params.str('KeyName');
  if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) throw invalid('KeyName', 'a key name has 1 to 255 printable ASCII characters');
  return name;
}

const newKeyPairId = () => `key-${randomBytes(9).toString('hex').slice(0, 17)}`;
const colonHex = (buf: Buffer) => buf.toString('hex').replace(/(..)(?!$)/g, '$1:');

/** An SSH wire-format string / mpint. */
function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}
function mpint(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  return sshString(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

/** `ssh-rsa <base64>` of an RSA public key. */
export function opensshRsa(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]);
  return `ssh-rsa ${blob.toString('base64')}`;
}

/** Reads an OpenSSH public key line: its type, the key, and the fingerprint EC2 gives imported keys. */
export function parseOpensshPublicKey(text: string): { type: 'rsa' | 'ed25519'; line: string; fingerprint: string } {
  const m = /^(ssh-rsa|ssh-ed25519)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$/.exec(text.trim().split('\n')[0]!.trim());
  const bad = () => new Ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format (ssh-rsa or ssh-ed25519)');
  if (!m) throw bad();
  const blob = Buffer.from(m[2]!, 'base64');
  const fields: Buffer[] = [];
  for (let at = 0; at < blob.length; ) {
    if (at + 4 > blob.length) throw bad();
    const len = blob.readUInt32BE(at);
    if (at + 4 + len > blob.length) throw bad();
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (fields[0]?.toString() !== m[1]) throw bad();
  const line = `${m[1]} ${m[2]}`;
  if (m[1] === 'ssh-ed25519') {
    if (fields.length !== 2 || fields[1]!.length !== 32) throw bad();
    return { type: 'ed25519', line, fingerprint: `${createHash('sha256').update(blob).digest('base64')}` };
  }
  if (fields.length !== 3) throw bad();
  const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', e: strip(fields[1]!).toString('base64url'), n: strip(fields[2]!).toString('base64url') }, format: 'jwk' });
  } catch {
    throw bad();
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024 || bits > 4096) throw new Ec2Error('InvalidKey.Format', `RSA keys of 1024 to 4096 bits are supported, not ${bits}`);
  return { type: 'rsa', line, fingerprint: colonHex(createHash('md5').update(key.export({ type: 'spki', format: 'der' })).digest()) };
}

const generate = promisify(generateKeyPair);

const createKeyPair: Ec2Action = async (ctx) => {
  const name = keyName(ctx);
  const type = ctx.params.optional('KeyType') ?? 'rsa';
  if (type !== 'rsa') throw invalid('KeyType', `"${type}": this endpoint makes rsa key pairs (import other kinds with ImportKeyPair)`);
  const format = ctx.params.optional('KeyFormat') ?? 'pem';
  if (format !== 'pem') throw invalid('KeyFormat', `"${format}": only pem`);
  const tags = ctx.params.tagsFor('key-pair');
  if (tags.length) throw invalid('TagSpecification', 'key pairs are not tagged here');
  const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048 });
  const pair: KeyPair = {
    name,
    id: newKeyPairId(),
    type: 'rsa',
    fingerprint: colonHex(createHash('sha1').update(privateKey.export({ type: 'pkcs8', format: 'der' })).digest()),
    publicKey: opensshRsa(publicKey),
    created: Math.floor(Date.now() / 1000),
  };
  await editKeyPairs(ctx, (pairs) => {
    if (pairs.some((p) => p.name === name)) throw new Ec2Error('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
    return { pairs: [...pairs, pair], result: undefined };
  });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trimEnd();
  return el('keyName', name) + el('keyFingerprint', pair.fingerprint) + el('keyMaterial', pem) + el('keyPairId', pair.id) + '<tagSet/>';
};

const importKeyPair: Ec2Action = async (ctx) => {
  const name = keyName(ctx);
  const material = ctx.params.str('PublicKeyMaterial');
  if (!/^[A-Za-z0-9+/\r\n]+={0,2}\s*$/.test(material)) throw invalid('PublicKeyMaterial', 'expected the public key, base64-encoded');
  const parsed = parseOpensshPublicKey(Buffer.from(material, 'base64').toString('utf8'));
  const pair: KeyPair = { name, id: newKeyPairId(), type: parsed.type, fingerprint: parsed.fingerprint, publicKey: parsed.line, created: Math.floor(Date.now() / 1000) };
  await editKeyPairs(ctx, (pairs) => {
    if (pairs.some((p) => p.name === name)) throw new Ec2Error('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
    return { pairs: [...pairs, pair], result: undefined };
  });
  return el('keyName', name) + el('keyFingerprint', pair.fingerprint) + el('keyPairId', pair.id) + '<tagSet/>';
};

const KEY_FILTERS = ['key-name', 'fingerprint', 'key-pair-id', 'key-type'];

const describeKeyPairs: Ec2Action = async (ctx) => {
  const names = ctx.params.list('KeyName');
  const ids = ctx.params.list('KeyPairId');
  const pairs = await keyPairsOf(ctx);
  for (const n of names) if (!pairs.some((p) => p.name === n)) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
  for (const n of ids) if (!pairs.some((p) => p.id === n)) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair ID '${n}' does not exist`);
  let shown = pairs.filter((p) => (names.length === 0 || names.includes(p.name)) && (ids.length === 0 || ids.includes(p.id)));
  shown = applyFilters(shown, ctx.params.filters(), (f) => KEY_FILTERS.includes(f) || isTagFilter(f), (p, f) =>
    f === 'key-name' ? [p.name] : f === 'fingerprint' ? [p.fingerprint] : f === 'key-pair-id' ? [p.id] : f === 'key-type' ? [p.type] : (tagFilterValues([], f) ?? []),
  );
  const withKey = ctx.params.bool('IncludePublicKey');
  return itemSet(
    'keySet',
    shown.map((p) => el('keyPairId', p.id) + el('keyName', p.name) + el('keyFingerprint', p.fingerprint) + el('keyType', p.type) + tagSet([]) + el('createTime', isoTime(p.created)) + (withKey ? el('publicKey', `${p.publicKey} ${p.name}`) : '')),
  );
};

const deleteKeyPair: Ec2Action = async (ctx) => {
  const name = ctx.params.optional('KeyName');
  const id = ctx.params.optional('KeyPairId');
  if (!name && !id) throw new Ec2Error('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
  const gone = await editKeyPairs(ctx, (pairs) => {
    const match = (p: KeyPair) => (name ? p.name === name : true) && (id ? p.id === id : true);
    return { pairs: pairs.filter((p) => !match(p)), result: pairs.find(match) };
  });
  return el('return', true) + el('keyPairId', gone?.id);
};

export const keyPairActions: Record<string, Ec2Action> = {
  CreateKeyPair: createKeyPair,
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPair: deleteKeyPair,
};

/** A key pair of the user by name, or InvalidKeyPair.NotFound. */
export async function keyPairNamed(ctx: Ec2Context, name: string): Promise<KeyPair> {
  const p = (await keyPairsOf(ctx)).find((k) => k.name === name);
  if (!p) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);
  return p;
}

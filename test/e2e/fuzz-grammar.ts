/**
 * Grammar-based generation of hostile XML-RPC request bodies for the API fuzzer
 * (api-fuzz.test.ts): well-formed calls of every registered method with wrong types and
 * out-of-range values, and malformed ones (deep nesting, huge numbers, bad UTF-8, DOCTYPEs and
 * entities, truncation). Values come from fast-check arbitraries; the grammar is ours.
 */
import fc from 'fast-check';
import { ALL_METHODS } from '../../src/rpc/methods/index.js';
import type { ParamSpec } from '../../src/rpc/params.js';

/** One request body, and what kind it is (for the tally and the checks). */
export interface FuzzBody {
  readonly kind: string;
  readonly body: Buffer;
}

/** Where an external entity would be fetched from: the test listens there and counts connections. */
export interface GrammarOptions {
  /** A valid session of an unprivileged user. */
  readonly session: string;
  /** `http://127.0.0.1:<port>/` that must never be contacted. */
  readonly trapUrl: string;
  /** The server's MAX_NESTING. */
  readonly maxNesting: number;
}

/** Methods the valid session never calls: they change its own credentials (the fuzz would lock itself out). Their wrong guesses go to another name: the login throttle (LOGIN_THROTTLE) refuses a name after repeated failures, and the fuzz user must stay usable. */
const SELF_LOCKING = new Set(['one.user.passwd', 'one.user.chauth', 'one.user.login']);

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Text XML 1.0 may hold (no control characters but tab, LF, CR; no lone surrogates). */
const xmlText = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));

const wrap = (inner: string): string => `<value>${inner}</value>`;
const int32 = fc.integer().map((n) => wrap(`<i4>${n}</i4>`));
/** Integers that do not fit their element: i4 overflow, i8 overflow, thousands of digits. */
const hugeInt = fc.oneof(
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n }).map((n) => wrap(`<i4>${n}</i4>`)),
  fc.bigInt({ min: -(2n ** 90n), max: 2n ** 90n }).map((n) => wrap(`<i8>${n}</i8>`)),
  fc.integer({ min: 100, max: 10_000 }).map((digits) => wrap(`<${digits % 2 ? 'int' : 'i8'}>${'9'.repeat(digits)}</${digits % 2 ? 'int' : 'i8'}>`)),
  fc.constantFrom('<int></int>', '<int>1.5</int>', '<int>0x10</int>', '<int>+-1</int>', '<i8>-</i8>', '<int> 12 </int>').map(wrap),
);
/** Doubles that are not numbers XML-RPC can carry, and some that are. */
const oddDouble = fc.oneof(
  fc.double().map((d) => wrap(`<double>${d}</double>`)),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-1e-400', '.', 'e5', '1.7976931348623157e309', '0x1p3', '').map((d) => wrap(`<double>${d}</double>`)),
);
const str = xmlText.map((s) => wrap(`<string>${esc(s)}</string>`));
const scalar = fc.oneof(
  int32,
  hugeInt,
  oddDouble,
  str,
  xmlText.map((s) => wrap(esc(s))),
  fc.constantFrom('<boolean>1</boolean>', '<boolean>0</boolean>', '<boolean>2</boolean>', '<boolean>yes</boolean>').map(wrap),
  fc.constantFrom('<nil/>', '<ex:nil/>', '<base64>aGVsbG8=</base64>', '<base64>!!</base64>', '<dateTime.iso8601>20240131T23:59:59</dateTime.iso8601>', '<dateTime.iso8601>yesterday</dateTime.iso8601>').map(wrap),
);
/** A value of any type, arrays and structs a few levels deep. */
const anyValue: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }).map((items) => wrap(`<array><data>${items.join('')}</data></array>`)),
    fc.array(fc.tuple(xmlText, tie('v')), { maxLength: 4 }).map((ms) => wrap(`<struct>${ms.map(([n, v]) => `<member><name>${esc(n)}</name>${v}</member>`).join('')}</struct>`)),
  ),
})).v;

/** A value of the type a parameter takes, with values at and beyond the edges. */
function typed(spec: ParamSpec): fc.Arbitrary<string> {
  const type = typeof spec === 'string' ? spec : spec.opt;
  switch (type) {
    case 'i':
      return fc.oneof(fc.integer({ min: -3, max: 200 }), fc.constantFrom(-2147483648, 2147483647, -1)).map((n) => wrap(`<int>${n}</int>`));
    case 'is':
      return fc.oneof(typed('i'), str);
    case 's':
      return fc.oneof(str, fc.constantFrom('NAME = x', 'NAME = "fuzz"\nCPU = 1\nMEMORY = 1', 'A = [ B = ', '<TEMPLATE><NAME>x</NAME></TEMPLATE>', 'A = "\\"').map((s) => wrap(`<string>${esc(s)}</string>`)));
    case 'b':
      return fc.constantFrom('<boolean>1</boolean>', '<boolean>0</boolean>', '<int>1</int>').map(wrap);
    case 'A':
      return fc.array(typed('i'), { maxLength: 5 }).map((items) => wrap(`<array><data>${items.join('')}</data></array>`));
  }
}

const call = (method: string, params: readonly string[]): string =>
  `<?xml version="1.0"?><methodCall><methodName>${esc(method)}</methodName><params>${params.map((p) => `<param>${p}</param>`).join('')}</params></methodCall>`;

/** Nested arrays (or structs) `depth` deep around an int. */
export function nested(depth: number, struct: boolean): string {
  const [open, close] = struct ? ['<value><struct><member><name>m</name>', '</member></struct></value>'] : ['<value><array><data>', '</data></array></value>'];
  return `${open.repeat(depth)}<value><int>1</int></value>${close.repeat(depth)}`;
}

/** The bodies: each arbitrary is one family of the grammar. */
export function bodies(opts: GrammarOptions): fc.Arbitrary<FuzzBody> {
  const methods = ALL_METHODS.map((m) => ({ name: m.name, params: m.params }));
  const method = fc.constantFrom(...methods);
  const session = (name: string): fc.Arbitrary<string> =>
    SELF_LOCKING.has(name)
      ? fc.oneof(str, fc.constant(wrap('<string>guesser:wrong</string>')))
      : fc.oneof({ weight: 3, arbitrary: fc.constant(wrap(`<string>${esc(opts.session)}</string>`)) }, { weight: 1, arbitrary: anyValue });
  const of = (kind: string, arb: fc.Arbitrary<string | Buffer>): fc.Arbitrary<FuzzBody> =>
    arb.map((b) => ({ kind, body: typeof b === 'string' ? Buffer.from(b, 'utf8') : b }));

  // Every registered method with its own signature: right types and edge values.
  const wellTyped = method.chain((m) => fc.tuple(session(m.name), ...m.params.map(typed)).map((ps) => call(m.name, ps)));
  // Every registered method with parameters of any type, too few or too many.
  const wrongTyped = method.chain((m) =>
    fc.tuple(session(m.name), fc.array(anyValue, { maxLength: m.params.length + 2 })).map(([s, ps]) => call(m.name, [s, ...ps])),
  );
  const outOfRange = method.chain((m) => fc.tuple(session(m.name), fc.array(fc.oneof(hugeInt, oddDouble), { minLength: 1, maxLength: m.params.length + 1 })).map(([s, ps]) => call(m.name, [s, ...ps])));
  const unknownMethod = fc.tuple(fc.oneof(xmlText, fc.constantFrom('one.', 'one.vm.info.', 'system.listMethods', '__proto__', 'constructor', 'one.vm.__proto__', 'x'.repeat(5000))), fc.array(anyValue, { maxLength: 3 }))
    .map(([name, ps]) => call(name === '' ? ' ' : name, ps));
  const deep = fc.tuple(fc.constantFrom(opts.maxNesting, opts.maxNesting + 1, 1000), fc.boolean())
    .map(([depth, struct]) => call('one.vm.update', [wrap(`<string>${esc(opts.session)}</string>`), nested(depth, struct)]));
  const badUtf8 = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])))
    .map(([noise, bad]) => {
      const [head, tail] = call('one.user.info', [wrap('<string>X</string>')]).split('X');
      return Buffer.concat([Buffer.from(head!), Buffer.from(noise), bad, Buffer.from(tail!)]);
    });
  const entity = fc.constantFrom(
    // Billion laughs: ten levels of ten references.
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><methodCall><methodName>&lol9;</methodName></methodCall>`,
    `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "${opts.trapUrl}x">]><methodCall><methodName>one.user.info</methodName><params><param><value>&x;</value></param></params></methodCall>`,
    `<?xml version="1.0"?><!DOCTYPE m SYSTEM "${opts.trapUrl}dtd"><methodCall><methodName>one.user.info</methodName></methodCall>`,
    `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY % p SYSTEM "${opts.trapUrl}p"> %p;]><methodCall><methodName>x</methodName></methodCall>`,
    `<?xml version="1.0"?><methodCall><methodName>&undefined;</methodName></methodCall>`,
    `<?xml version="1.0"?><methodCall><methodName>one.user.info&#0;</methodName></methodCall>`,
    `<?xml version="1.0"?><methodCall><methodName>one.user.info&#x110000;</methodName></methodCall>`,
    `<?xml-stylesheet href="${opts.trapUrl}s"?><methodCall><methodName>x</methodName></methodCall>`,
    `<?xml version="1.0" encoding="UTF-16"?><methodCall><methodName>x</methodName></methodCall>`,
    `<methodCall xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="${opts.trapUrl}i"/></methodCall>`,
  );
  // A well-formed body cut at a random byte, or with random bytes in the middle.
  const broken = fc.tuple(wellTyped, fc.nat(), fc.uint8Array({ maxLength: 16 })).map(([xml, at, noise]) => {
    const b = Buffer.from(xml);
    const cut = at % b.length;
    return at % 3 === 0 ? b.subarray(0, cut) : Buffer.concat([b.subarray(0, cut), Buffer.from(noise), b.subarray(cut)]);
  });
  const garbage = fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), xmlText, fc.constantFrom('', ' ', '<', '<methodCall>', '<?xml version="1.0"?>', '<methodResponse><params/></methodResponse>'));
  return fc.oneof(
    { weight: 6, arbitrary: of('well-typed call', wellTyped) },
    { weight: 4, arbitrary: of('wrong types', wrongTyped) },
    { weight: 2, arbitrary: of('out-of-range numbers', outOfRange) },
    { weight: 1, arbitrary: of('unknown method', unknownMethod) },
    { weight: 1, arbitrary: of('deep nesting', deep) },
    { weight: 1, arbitrary: of('bad UTF-8', badUtf8) },
    { weight: 1, arbitrary: of('DOCTYPE, entities', entity) },
    { weight: 2, arbitrary: of('broken XML', broken) },
    { weight: 1, arbitrary: of('garbage', garbage) },
  );
}

/** `count` bodies from a seed, drawn lazily (the deep ones are megabytes). */
export function* sampleBodies(opts: GrammarOptions, count: number, seed: number): Generator<FuzzBody> {
  const arb = bodies(opts);
  const batch = 1000;
  for (let done = 0; done < count; done += batch) {
    yield* fc.sample(arb, { numRuns: Math.min(batch, count - done), seed: seed + done });
  }
}

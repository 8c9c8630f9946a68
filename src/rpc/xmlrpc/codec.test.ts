import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { decodeUtf8 } from './decode.js';
import { xmlEscapeText } from '../../common/xml.js';
import {
  decodeMethodCall,
  decodeMethodResponse,
  Double,
  encodeFault,
  encodeMethodCall,
  encodeResponse,
  encodeResponseParts,
  EscapedBytes,
  EscapedString,
  FaultCode,
  XmlRpcFault,
  type XmlRpcValue,
} from './index.js';

/** Structs decode to null-prototype objects, which deepEqual tells apart from literals. */
function struct(members: { [name: string]: XmlRpcValue }): { [name: string]: XmlRpcValue } {
  return Object.assign(Object.create(null) as { [name: string]: XmlRpcValue }, members);
}

const call = (params: string): string => `<?xml version="1.0"?><methodCall><methodName>m</methodName><params>${params}</params></methodCall>`;
const param = (value: string): string => call(`<param><value>${value}</value></param>`);
const decodeParam = (value: string): XmlRpcValue => decodeMethodCall(param(value)).params[0]!;

function assertParseFault(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof XmlRpcFault, `expected an XmlRpcFault, got ${String(err)}`);
    assert.equal(err.code, FaultCode.PARSE);
    assert.match(err.message, /at line \d+, column \d+: /);
    assert.match(err.message, message);
    return true;
  });
}

describe('XML-RPC codec round trip', () => {
  const values: [string, XmlRpcValue][] = [
    ['string', 'plain'],
    ['empty string', ''],
    ['markup characters', `a<b>&"c'd ]]> e`],
    ['line ends and tabs', 'one\r\ntwo\rthree\n\tfour  '],
    ['non-ASCII', 'ñandú € 😀'],
    ['zero', 0],
    ['int32 bounds', [2147483647, -2147483648]],
    ['integers beyond int32 (i8)', [2147483648, -2147483649, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]],
    ['bigints beyond doubles', [9223372036854775807n, -9223372036854775808n, 9007199254740993n]],
    ['booleans', [true, false]],
    ['doubles', [new Double(1.5), new Double(3), new Double(-0.25), new Double(1e300), new Double(5e-324)]],
    ['dates', [new Date(Date.UTC(2024, 0, 31, 23, 59, 58)), new Date(Date.UTC(1999, 11, 1, 0, 0, 0, 123))]],
    ['base64', Buffer.from([0, 1, 2, 253, 254, 255])],
    ['empty base64', Buffer.alloc(0)],
    ['nil', null],
    ['empty array', []],
    ['nested arrays', [[1, ['two', [true, null]]], []]],
    ['struct', struct({ a: 1, 'b c': 'x<y', nested: struct({ list: [1, 2], empty: struct({}) }) })],
    ['struct with a __proto__ member', struct({ ['__proto__']: 'kept', constructor: 1 })],
    ['OpenNebula success envelope', [true, 3, 0]],
    ['OpenNebula failure envelope', [false, '[one.vm.info] Error getting virtual machine [7].', 1024, 7, 0]],
  ];

  for (const [name, value] of values) {
    it(`${name} survives a call and a response`, () => {
      const decoded = decodeMethodCall(encodeMethodCall('one.test', [value, 'tail']));
      assert.equal(decoded.method, 'one.test');
      assert.deepEqual(decoded.params, [value, 'tail']);
      assert.deepEqual(decodeMethodResponse(encodeResponse(value)), value);
    });
  }

  it('a non-integral JS number comes back as a Double', () => {
    assert.deepEqual(decodeMethodResponse(encodeResponse(2.75)), new Double(2.75));
  });

  it('decodes structs as null-prototype objects', () => {
    const decoded = decodeMethodResponse(encodeResponse(struct({ toString: 'x' })));
    assert.equal(Object.getPrototypeOf(decoded), null);
  });

  it('a method name is escaped and restored', () => {
    assert.equal(decodeMethodCall(encodeMethodCall('a&b<c', [])).method, 'a&b<c');
  });
});

describe('XML-RPC encoder', () => {
  it('writes the OpenNebula envelopes compactly with the expected types', () => {
    assert.equal(
      encodeResponse([true, 3, 0]),
      '<?xml version="1.0"?><methodResponse><params><param><value><array><data>' +
        '<value><boolean>1</boolean></value><value><i4>3</i4></value><value><i4>0</i4></value>' +
        '</data></array></value></param></params></methodResponse>',
    );
    assert.equal(
      encodeResponse([false, 'a <b> & c', 512, -1]),
      '<?xml version="1.0"?><methodResponse><params><param><value><array><data>' +
        '<value><boolean>0</boolean></value><value><string>a &lt;b&gt; &amp; c</string></value>' +
        '<value><i4>512</i4></value><value><i4>-1</i4></value>' +
        '</data></array></value></param></params></methodResponse>',
    );
  });

  it('writes a fault struct', () => {
    assert.equal(
      encodeFault(-506, 'no "x"'),
      '<?xml version="1.0"?><methodResponse><fault><value><struct>' +
        '<member><name>faultCode</name><value><int>-506</int></value></member>' +
        '<member><name>faultString</name><value><string>no &quot;x&quot;</string></value></member>' +
        '</struct></value></fault></methodResponse>',
    );
  });

  it('writes a method call', () => {
    assert.equal(
      encodeMethodCall('one.user.info', ['oneadmin:pw', -1]),
      '<?xml version="1.0"?><methodCall><methodName>one.user.info</methodName><params>' +
        '<param><value><string>oneadmin:pw</string></value></param><param><value><i4>-1</i4></value></param>' +
        '</params></methodCall>',
    );
  });

  it('picks the numeric type from the value', () => {
    const body = (v: XmlRpcValue) => encodeResponse(v).replace(/^.*<param><value>|<\/value><\/param>.*$/g, '');
    assert.equal(body(2147483647), '<i4>2147483647</i4>');
    assert.equal(body(2147483648), '<i8>2147483648</i8>');
    assert.equal(body(-9007199254740991), '<i8>-9007199254740991</i8>');
    assert.equal(body(2 ** 62), '<i8>4611686018427387904</i8>');
    assert.equal(body(12n), '<i8>12</i8>');
    assert.equal(body(0.5), '<double>0.5</double>');
    assert.equal(body(new Double(2)), '<double>2</double>');
    assert.equal(body(new Date(Date.UTC(2020, 1, 3, 4, 5, 6))), '<dateTime.iso8601>20200203T04:05:06</dateTime.iso8601>');
    assert.equal(body(null), '<nil/>');
  });

  it('refuses what XML-RPC cannot carry', () => {
    assert.throws(() => encodeResponse(NaN), RangeError);
    assert.throws(() => encodeResponse(new Double(Infinity)), RangeError);
    assert.throws(() => encodeResponse(2 ** 63), RangeError);
    assert.throws(() => encodeResponse(2n ** 63n), RangeError);
    assert.throws(() => encodeResponse(new Date(NaN)), RangeError);
    assert.throws(() => encodeResponse([undefined as unknown as XmlRpcValue]), TypeError);
    assert.throws(() => encodeFault(1.5, 'x'), RangeError);
  });
});

describe('XML-RPC decoder: what real clients send', () => {
  it('decodes the npm xmlrpc module (used by the opennebula package) as it serializes', () => {
    const xml =
      '<?xml version="1.0"?><methodCall><methodName>one.user.info</methodName><params>' +
      '<param><value><string>oneadmin:pw</string></value></param><param><value><int>-1</int></value></param></params></methodCall>';
    assert.deepEqual(decodeMethodCall(xml), { method: 'one.user.info', params: ['oneadmin:pw', -1] });

    // Every type, straight from its serializer: CDATA for markup, <string/>, <boolean>1, <double>.
    const require = createRequire(import.meta.url);
    const serializer = require('xmlrpc/lib/serializer') as { serializeMethodCall(m: string, p: unknown[]): string };
    const sent = serializer.serializeMethodCall('one.vm.allocate', [
      'oneadmin:pw',
      'NAME="a<b" & CPU=1',
      '',
      true,
      false,
      1.5,
      7,
      null,
      [1, 'x'],
      { a: 1, b: [true] },
      Buffer.from('hi'),
    ]);
    assert.match(sent, /<!\[CDATA\[/);
    assert.deepEqual(decodeMethodCall(sent).params, [
      'oneadmin:pw',
      'NAME="a<b" & CPU=1',
      '',
      true,
      false,
      new Double(1.5),
      7,
      null,
      [1, 'x'],
      struct({ a: 1, b: [true] }),
      Buffer.from('hi'),
    ]);
  });

  it("decodes Python xmlrpc.client's indented form", () => {
    const xml =
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>one.vmpool.info</methodName>\n<params>\n" +
      '<param>\n<value><string>oneadmin:pw</string></value>\n</param>\n' +
      '<param>\n<value><int>-2</int></value>\n</param>\n' +
      '<param>\n<value><boolean>0</boolean></value>\n</param>\n' +
      '<param>\n<value><struct>\n<member>\n<name>k</name>\n<value><double>0.1</double></value>\n</member>\n</struct></value>\n</param>\n' +
      '<param>\n<value><array><data>\n<value><nil/></value>\n</data></array></value>\n</param>\n' +
      '</params>\n</methodCall>\n';
    assert.deepEqual(decodeMethodCall(xml), {
      method: 'one.vmpool.info',
      params: ['oneadmin:pw', -2, false, struct({ k: new Double(0.1) }), [null]],
    });
  });

  it("decodes xmlrpc-c's response with Apache extensions and CRLF layout", () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
      '<methodResponse xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">\r\n<params>\r\n' +
      '<param><value><array><data>\r\n<value><boolean>1</boolean></value>\r\n<value><ex:i8>12345678901234</ex:i8></value>\r\n' +
      '<value><i4>0</i4></value>\r\n<value><ex:nil/></value>\r\n</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n';
    assert.deepEqual(decodeMethodResponse(xml), [true, 12345678901234, 0, null]);
  });

  it('keeps an untyped value exactly and reads empty strings', () => {
    assert.equal(decodeParam('  two  words '), '  two  words ');
    assert.equal(decodeParam(''), '');
    assert.equal(decodeMethodCall(call('<param><value/></param>')).params[0], '');
    assert.equal(decodeParam('<string></string>'), '');
    assert.equal(decodeParam('<string/>'), '');
    assert.equal(decodeParam('\n  <string> padded </string>\n'), ' padded ');
  });

  it('decodes entity and character references and CDATA', () => {
    assert.equal(decodeParam('<string>a&lt;b&amp;&quot;&#65;&#x42;</string>'), 'a<b&"AB');
    assert.equal(decodeParam('<string>x<![CDATA[<&>]]>y</string>'), 'x<&>y');
  });

  it('accepts the other spellings of integers and booleans', () => {
    assert.equal(decodeParam('<i4>+42</i4>'), 42);
    assert.equal(decodeParam('<int> 7 </int>'), 7);
    assert.equal(decodeParam('<boolean>true</boolean>'), true);
    assert.equal(decodeParam('<boolean>false</boolean>'), false);
    assert.equal(decodeParam('<i8>-9223372036854775808</i8>'), -9223372036854775808n);
    assert.equal(decodeParam('<i8>9007199254740991</i8>'), 9007199254740991);
  });

  it('accepts the usual dateTime.iso8601 forms', () => {
    const utc = Date.UTC(2024, 0, 31, 23, 59, 58);
    assert.equal((decodeParam('<dateTime.iso8601>20240131T23:59:58</dateTime.iso8601>') as Date).getTime(), utc);
    assert.equal((decodeParam('<dateTime.iso8601>2024-01-31T23:59:58Z</dateTime.iso8601>') as Date).getTime(), utc);
    assert.equal((decodeParam('<dateTime.iso8601>2024-02-01T01:59:58+02:00</dateTime.iso8601>') as Date).getTime(), utc);
  });

  it('accepts base64 split over lines', () => {
    assert.deepEqual(decodeParam('<base64>aGVs\nbG8=\n</base64>'), Buffer.from('hello'));
  });

  it('accepts a call without params', () => {
    assert.deepEqual(decodeMethodCall('<methodCall><methodName>one.system.version</methodName></methodCall>'), {
      method: 'one.system.version',
      params: [],
    });
  });

  it('throws a fault response as XmlRpcFault with its code and string', () => {
    assert.throws(
      () => decodeMethodResponse(encodeFault(-506, 'Method one.x does not exist')),
      (err: unknown) => err instanceof XmlRpcFault && err.code === -506 && err.message === 'Method one.x does not exist',
    );
  });
});

describe('XML-RPC decoder: refusals', () => {
  it('reports malformed XML with its line and column', () => {
    assertParseFault(() => decodeMethodCall(param('<int>1</i4>')), /line 1, column \d+: unexpected close tag/);
    assertParseFault(() => decodeMethodCall('<methodCall>\n<methodName>m</methodName>\n<params><param>'), /line 3,/);
    assertParseFault(() => decodeMethodCall(''), /root/);
    assertParseFault(() => decodeMethodCall(param('<string>&bogus;</string>')), /entity/);
  });

  it('refuses bad scalars, naming the bad value', () => {
    assertParseFault(() => decodeParam('<int>12a</int>'), /'12a'/);
    assertParseFault(() => decodeParam('<int>2147483648</int>'), /'2147483648'.*32-bit/);
    assertParseFault(() => decodeParam('<i4></i4>'), /<i4> value ''/);
    assertParseFault(() => decodeParam('<i8>9223372036854775808</i8>'), /'9223372036854775808'/);
    assertParseFault(() => decodeParam('<int>1.0</int>'), /'1.0'/);
    assertParseFault(() => decodeParam('<boolean>2</boolean>'), /'2'/);
    assertParseFault(() => decodeParam('<double>0x10</double>'), /'0x10'/);
    assertParseFault(() => decodeParam('<double>1e999</double>'), /'1e999'/);
    assertParseFault(() => decodeParam('<dateTime.iso8601>yesterday</dateTime.iso8601>'), /'yesterday'/);
    assertParseFault(() => decodeParam('<base64>not base64!</base64>'), /base64/);
  });

  it('refuses a DOCTYPE, so no entity is ever expanded', () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>' +
      '<methodCall><methodName>&lol2;</methodName></methodCall>';
    assertParseFault(() => decodeMethodCall(xml), /DOCTYPE/);
    const external = '<!DOCTYPE methodCall SYSTEM "file:///etc/passwd"><methodCall><methodName>m</methodName></methodCall>';
    assertParseFault(() => decodeMethodCall(external), /DOCTYPE/);
  });

  it('refuses documents that are not the expected XML-RPC message', () => {
    assertParseFault(() => decodeMethodCall(encodeResponse(1)), /expected <methodCall>, found <methodResponse>/);
    assertParseFault(() => decodeMethodResponse(encodeMethodCall('m', [])), /expected <methodResponse>/);
    assertParseFault(() => decodeMethodCall('<methodCall><params/></methodCall>'), /without <methodName>/);
    assertParseFault(() => decodeMethodCall('<methodCall><methodName> </methodName></methodCall>'), /empty <methodName>/);
    assertParseFault(() => decodeMethodCall(param('<blob>1</blob>')), /unknown element <blob>/);
    assertParseFault(() => decodeMethodCall(call('<value>1</value>')), /<value> is not allowed in <params>/);
    assertParseFault(() => decodeMethodCall(call('<param></param>')), /<param> without <value>/);
    assertParseFault(() => decodeParam('x<int>1</int>'), /mixes text/);
    assertParseFault(() => decodeParam('<int>1</int><int>2</int>'), /more than one value/);
    assertParseFault(() => decodeParam('<int>1</int>x'), /unexpected text/);
    assertParseFault(() => decodeParam('<array></array>'), /without <data>/);
    assertParseFault(() => decodeParam('<struct><member><value>1</value></member></struct>'), /before its <name>/);
    assertParseFault(() => decodeParam('<struct><member><name>a</name></member></struct>'), /'a' without <value>/);
    assertParseFault(() => decodeParam('<nil>x</nil>'), /unexpected text in <nil>/);
    assertParseFault(() => decodeMethodResponse('<methodResponse><params></params></methodResponse>'), /exactly one <param>/);
    assertParseFault(() => decodeMethodResponse('<methodResponse><fault><value>oops</value></fault></methodResponse>'), /faultCode/);
  });

  it('decodes normally after a refused document', () => {
    assert.throws(() => decodeMethodCall('<methodCall><methodName>m</methodName><params><param><value><int>'));
    assert.deepEqual(decodeMethodCall(param('<int>5</int>')), { method: 'm', params: [5] });
  });

  it('refuses invalid UTF-8 with fault -510', () => {
    assert.equal(decodeUtf8(Buffer.from('\ufeffñ', 'utf8')), 'ñ');
    assert.throws(
      () => decodeUtf8(Buffer.from([0x3c, 0x61, 0xff, 0x3e])),
      (err: unknown) => err instanceof XmlRpcFault && err.code === FaultCode.INVALID_UTF8,
    );
  });
});

describe('XML-RPC response parts', () => {
  it('EscapedBytes travel as kept bytes and decode as the same string as EscapedString', () => {
    const text = 'a <VM> & "b" é';
    const escaped = xmlEscapeText(text);
    const bytes = Buffer.from(escaped, 'utf8');
    for (const value of [new EscapedBytes(bytes), [true, new EscapedBytes(bytes), 0], [new EscapedBytes(bytes), 'x', new EscapedBytes(bytes)]] as XmlRpcValue[]) {
      const parts = encodeResponseParts(value);
      assert.ok(parts.some((p) => p === bytes), 'the kept bytes are not copied');
      const wire = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))).toString('utf8');
      const same = JSON.stringify(value, (_k, v: unknown) => (v instanceof EscapedBytes ? text : v));
      assert.equal(JSON.stringify(decodeMethodResponse(wire)), same);
    }
    assert.deepEqual(encodeResponseParts([true, new EscapedString(escaped), 0]), [encodeResponse([true, new EscapedString(escaped), 0])]);
    assert.throws(() => encodeResponse([[new EscapedBytes(bytes)]]), /EscapedBytes may only be a response value/);
  });
});

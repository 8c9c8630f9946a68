import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from './index.js';
import { assertSyntaxError, plain, SPEC_EXAMPLE } from './testing.js';

const parsed = (text: string) => plain(Template.parse(text).attributes());

const rejects = (text: string, message: string, line: number, column: number) =>
  assertSyntaxError(() => Template.parse(text), message, line, column);

test('the spec example', () => {
  assert.deepEqual(parsed(SPEC_EXAMPLE), [
    ['NAME', 'web-1'],
    ['CPU', '0.5'],
    ['MEMORY', '1024'],
    ['DISK', [['IMAGE_ID', '3'], ['TARGET', 'vda']]],
    ['DISK', [['TYPE', 'swap'], ['SIZE', '1024']]],
    ['NIC', [['NETWORK', 'public'], ['NETWORK_UNAME', 'oneadmin']]],
    ['CONTEXT', [['HOSTNAME', '$NAME'], ['ETH0_IP', '$NIC[IP, NETWORK="public"]']]],
    ['SCHED_REQUIREMENTS', 'HYPERVISOR = kvm & FREE_CPU > 50'],
  ]);
});

test('empty input, blanks and comments alone are an empty template', () => {
  for (const text of ['', '   ', '\n\n', '# only a comment', '  # c1\n\t# c2\n\n']) assert.deepEqual(parsed(text), []);
});

test('names are upper-cased at top level and inside vectors; values keep case', () => {
  assert.deepEqual(parsed('name = Value\ndisk = [ image_id = Foo ]'), [
    ['NAME', 'Value'],
    ['DISK', [['IMAGE_ID', 'Foo']]],
  ]);
});

test('names not starting with a letter or _, or starting with XML, get the ONE_ prefix', () => {
  assert.deepEqual(parsed('1A = x\n_B = y\nxml_c = z\nXMLRPC = w\nV = [ 2k = v, xmlk = u ]'), [
    ['ONE_1A', 'x'],
    ['_B', 'y'],
    ['ONE_XML_C', 'z'],
    ['ONE_XMLRPC', 'w'],
    ['V', [['ONE_2K', 'v'], ['ONE_XMLK', 'u']]],
  ]);
});

test('repeated names are all kept in order; a repeated vector key keeps its first value', () => {
  assert.deepEqual(parsed('A = 1\nB = 2\nA = 3\nV = [ K = first, L = 2, k = second ]'), [
    ['A', '1'],
    ['B', '2'],
    ['A', '3'],
    ['V', [['K', 'first'], ['L', '2']]],
  ]);
});

test('quoted values span lines, unescape \\" and keep every other backslash', () => {
  assert.deepEqual(parsed('A = "line 1\nline 2"\nB = "say \\"hi\\""\nC = "C:\\dir\\n \\\\ x"\nD = "\\\\"" E = 1'), [
    ['A', 'line 1\nline 2'],
    ['B', 'say "hi"'],
    ['C', 'C:\\dir\\n \\\\ x'],
    ['D', '\\"'], // \\" : the quote is escaped, the first backslash stays
    ['E', '1'],
  ]);
});

test('"" is the empty string; NAME = at the end of a line or of the input is an empty value', () => {
  assert.deepEqual(parsed('A = ""\nB =\nC =   \t\nD = [ K = "" ]\nE ='), [
    ['A', ''],
    ['B', ''],
    ['C', ''],
    ['D', [['K', '']]],
    ['E', ''],
  ]);
});

test('[] with or without blanks and newlines is an empty vector', () => {
  assert.deepEqual(parsed('A = []\nB = [ ]\nC = [\n\n]\nD=[# c\n]'), [
    ['A', []],
    ['B', []],
    ['C', []],
    ['D', []],
  ]);
});

test('comments may appear wherever a name, "=", "," or "]" may', () => {
  const text = '# header\nA = 1 # trailing\n  # indented\nB # before =\n = 2\nV = [ # after [\n  K = 1, # after ,\n  L = 2 # before ]\n]';
  assert.deepEqual(parsed(text), [
    ['A', '1'],
    ['B', '2'],
    ['V', [['K', '1'], ['L', '2']]],
  ]);
});

test('bare values are runs of anything but = # , [ ] blanks and newlines', () => {
  assert.deepEqual(parsed('A = a"b;c:d/e?f&g<h>\nB = héllo→ C = 1#c\nD = x\tE=y'), [
    ['A', 'a"b;c:d/e?f&g<h>'],
    ['B', 'héllo→'],
    ['C', '1'],
    ['D', 'x'],
    ['E', 'y'],
  ]);
});

test('attributes may share a line; blanks and newlines around =, "," and "]" are ignored', () => {
  assert.deepEqual(parsed('A=1 B="2"C=3\nV\n=\t[\n  K\t= 1\n  ,\n  L = "2"\n  ]W=[X=1]'), [
    ['A', '1'],
    ['B', '2'],
    ['C', '3'],
    ['V', [['K', '1'], ['L', '2']]],
    ['W', [['X', '1']]],
  ]);
});

test('CRLF line ends parse like LF', () => {
  assert.deepEqual(parsed('A = 1\r\nB =\r\nV = [\r\n K = x,\r\n L = "y" ]\r\n'), [
    ['A', '1'],
    ['B', ''],
    ['V', [['K', 'x'], ['L', 'y']]],
  ]);
});

test('values containing or followed by ]]> are rejected', () => {
  rejects('A = 1\nB = "x]]>y"', "value of B contains ']]>'", 2, 5);
  rejects('A = x]]>', "value of A contains ']]>'", 1, 5);
  rejects('V = [ K = ]]> ]', "value of V/K contains ']]>'", 1, 11);
});

test('syntax errors name what was found, what was expected, and where', () => {
  rejects('A = 1\nB ]', `syntax error, unexpected "]", expected '=' after attribute name B`, 2, 3);
  rejects('A', `syntax error, unexpected end of input, expected '=' after attribute name A`, 1, 2);
  rejects('A = 1\n\n  = 2', 'syntax error, unexpected "=", expected an attribute name', 3, 3);
  rejects('A = 1, B = 2', 'syntax error, unexpected ",", expected an attribute name', 1, 6);
  rejects('A = ,', 'syntax error, unexpected ",", expected a value for attribute A', 1, 5);
  rejects('A = # c', 'syntax error, unexpected "#", expected a value for attribute A', 1, 5);
  rejects('A = "x"\nB = 1\nC = ]', 'syntax error, unexpected "]", expected a value for attribute C', 3, 5);
  rejects('A.B = 1', `syntax error, unexpected ".", expected '=' after attribute name A`, 1, 2);
  rejects('V = [ K = 1 L = 2 ]', "syntax error, unexpected name L, expected ',' or ']' after V/K", 1, 13);
  rejects('V = [ K = 1,\n ]', 'syntax error, unexpected "]", expected a key name in vector V', 2, 2);
  rejects('V = [ K =\n 1 ]', 'syntax error, unexpected end of line, expected a value for V/K', 1, 10);
  rejects('V = [ K = 1', "syntax error, unexpected end of input, expected ',' or ']' after V/K", 1, 12);
  rejects('V = [ K = [ ] ]', 'syntax error, unexpected "[", expected a value for V/K', 1, 11);
  rejects('V = [ K 1 ]', `syntax error, unexpected name 1, expected '=' after key V/K`, 1, 9);
  rejects('A = "x\ny" ]', 'syntax error, unexpected "]", expected an attribute name', 2, 4);
  rejects('A = 1\nB = "abc\ndef', 'unterminated quoted value for B', 2, 5);
});

test('a 10,000-attribute template parses', () => {
  let text = '';
  for (let i = 0; i < 10_000; i++) text += i % 2 ? `A${i} = "value ${i}"\n` : `V${i} = [ K = ${i}, L = "x" ]\n`;
  const t = Template.parse(text);
  assert.equal(t.size, 10_000);
  assert.equal(t.get('a9999'), 'value 9999');
  assert.deepEqual([...t.getVector('V9998')!], [['K', '9998'], ['L', 'x']]);
});

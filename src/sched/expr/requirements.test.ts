import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributesOf, parseRequirements } from './index.js';

const HOST = attributesOf({
  ID: '3', NAME: 'node03', HYPERVISOR: 'kvm', FREE_CPU: '80', CPUSPEED: '2400', CLUSTER_ID: ['100', '105'],
  TAG: ['ssd', 'gpu-a100'], LOAD: '0.75', TEMP: '-4', FREE_MEM: '50.7', ARCH: 'x86_64', NOTE: 'n/a', EMPTY: '',
});

function holds(text: string, attrs = HOST): boolean {
  return parseRequirements(text).test(attrs);
}

test("the spec's examples", () => {
  assert.ok(holds('HYPERVISOR = "kvm" & FREE_CPU > 50'));
  assert.ok(!holds('HYPERVISOR = "kvm" & FREE_CPU > 80'));
  assert.ok(holds('NAME = "node*"'));
  assert.ok(!holds('NAME = "web*"'));
  assert.ok(!holds('!(ID = 3)'));
  assert.ok(holds('!(ID = 4)'));
  assert.ok(holds('CLUSTER_ID = 100 | CLUSTER_ID = 101'));
  assert.ok(!holds('CLUSTER_ID = 105 | CLUSTER_ID = 101'), '= reads the first value only');
  assert.ok(holds('TAG @> "gpu*"'));
  assert.ok(!holds('TAG @> "fpga*"'));
  assert.ok(holds('CPUSPEED > 1000 & HYPERVISOR = "kvm"'));
  assert.ok(!holds('CPUSPEED > 1000 & HYPERVISOR = "xen"'));
});

test('every comparison against an integer', () => {
  assert.ok(holds('ID = 3') && !holds('ID = 4'));
  assert.ok(holds('ID != 4') && !holds('ID != 3'));
  assert.ok(holds('ID > 2') && !holds('ID > 3'));
  assert.ok(holds('ID < 4') && !holds('ID < 3'));
  assert.ok(holds('CLUSTER_ID @> 105') && holds('CLUSTER_ID @> 100') && !holds('CLUSTER_ID @> 101'));
});

test('an integer literal reads the value as an int (truncated), a float literal as a float', () => {
  assert.ok(holds('FREE_MEM = 50') && !holds('FREE_MEM > 50'));
  assert.ok(holds('FREE_MEM > 50.5') && holds('FREE_MEM = 50.7') && holds('FREE_MEM != 50.6'));
  assert.ok(holds('LOAD < 0.8') && holds('LOAD > 0.5') && !holds('LOAD < 0.75'));
  assert.ok(holds('LOAD = 0'), '0.75 read as an int is 0');
  assert.ok(holds('TAG @> 1.5', attributesOf({ TAG: ['x', '1.5'] })));
});

test('negative numbers', () => {
  assert.ok(holds('TEMP = -4') && holds('TEMP < -3') && holds('TEMP > -5') && !holds('TEMP > -4'));
  assert.ok(holds('TEMP < -3.5') && holds('TEMP > -4.5'));
  assert.ok(holds('ID > -1'));
});

test('strings: = and != are globs on the first value, @> on any value, case-sensitive', () => {
  assert.ok(holds('HYPERVISOR = kvm'), 'a bare word is a string');
  assert.ok(!holds('HYPERVISOR = KVM'));
  assert.ok(holds('HYPERVISOR != "xen"') && !holds('HYPERVISOR != "k?m"'));
  assert.ok(holds('ARCH = "x86_[0-9]*"') && holds('NOTE = "n/a"') && holds('NAME = "node0[!4-9]"'));
  assert.ok(holds('TAG = ssd') && !holds('TAG = "gpu*"'), '= reads the first of several values');
  assert.ok(holds('TAG @> ssd') && holds('TAG @> "*100"'));
  assert.ok(holds('EMPTY = "*"'), 'an empty value is a string like any other');
  assert.ok(holds('NAME = "node03"') && holds('ID = "3"'), 'a quoted number is a string');
});

test('a missing variable makes every comparison false, != and @> included', () => {
  for (const op of ['=', '!=', '>', '<', '@>']) {
    assert.ok(!holds(`NOPE ${op} 1`), `NOPE ${op} 1`);
    assert.ok(!holds(`NOPE ${op} 1.5`), `NOPE ${op} 1.5`);
  }
  for (const op of ['=', '!=', '@>']) assert.ok(!holds(`NOPE ${op} "x*"`), `NOPE ${op} "x*"`);
  assert.ok(holds('!(NOPE = 1)'));
  assert.ok(!holds('NOPE = 1', attributesOf({ NOPE: [] })), 'no values is missing');
});

test('a value that is not a number fails numeric comparisons, != included', () => {
  for (const op of ['=', '!=', '>', '<', '@>']) assert.ok(!holds(`HYPERVISOR ${op} 0`), `HYPERVISOR ${op} 0`);
  for (const value of ['', ' ', '0x10', '12abc', 'Infinity']) {
    assert.ok(!holds('X != 1', attributesOf({ X: value })), JSON.stringify(value));
  }
  assert.ok(holds('X = 1000', attributesOf({ X: '1e3' })) && holds('X = 7', attributesOf({ X: ' 7 ' })));
});

test('the empty string literal "" compares false with =, != and @>', () => {
  assert.ok(!holds('EMPTY = ""') && !holds('EMPTY != ""') && !holds('EMPTY @> ""') && !holds('NAME != ""'));
});

test('! & | have one precedence and group left to right', () => {
  const a1 = attributesOf({ A: '1', B: '0', C: '0' });
  assert.ok(!holds('A=1 | B=1 & C=1', a1), '(A=1 | B=1) & C=1');
  assert.ok(holds('A=1 | (B=1 & C=1)', a1));
  const c1 = attributesOf({ A: '0', B: '0', C: '1' });
  assert.ok(holds('A=1 & B=1 | C=1', c1), '(A=1 & B=1) | C=1');
  assert.ok(!holds('A=1 & (B=1 | C=1)', c1));
  const b1 = attributesOf({ A: '0', B: '1' });
  assert.ok(holds('!A=1 & B=1', b1), '(!A=1) & B=1');
  assert.ok(!holds('!(A=0 & B=1)', b1));
  assert.ok(holds('!!B=1', b1) && holds('! ! ( ( B = 1 ) )', b1));
});

test('blanks: between and inside two-character operators, newlines included; none needed', () => {
  assert.ok(holds('ID!=4&HYPERVISOR=kvm|ID=9'));
  assert.ok(holds('ID ! = 4') && holds('CLUSTER_ID @ > 105') && holds('\n  ID = 3\n  & FREE_CPU > 1\n'));
});

test('empty or blank text always holds', () => {
  for (const text of ['', '   ', '\n\t']) {
    const r = parseRequirements(text);
    assert.ok(r.test(attributesOf({})));
    assert.deepEqual(r.variables, []);
  }
});

test('variables: names exactly as written, each once, in order of appearance; literals are not variables', () => {
  const r = parseRequirements('CLUSTER_ID = 100 | (hypervisor = kvm & !(CLUSTER_ID = 101)) & "FREE_CPU" > 5 & X = Y');
  assert.deepEqual(r.variables, ['CLUSTER_ID', 'hypervisor', 'FREE_CPU', 'X']);
  assert.equal(r.text, 'CLUSTER_ID = 100 | (hypervisor = kvm & !(CLUSTER_ID = 101)) & "FREE_CPU" > 5 & X = Y');
  assert.ok(!r.test(HOST), 'hypervisor (lower case) is another variable');
  assert.ok(holds('"FREE_CPU" > 5'), 'a quoted name on the left is a variable, as in OpenNebula');
});

test('one compiled expression evaluates many attribute sets', () => {
  const r = parseRequirements('FREE_CPU > 50 & NAME = "node*"');
  const hosts = Array.from({ length: 100 }, (_, i) => attributesOf({ FREE_CPU: String(i), NAME: i % 2 ? 'node' : 'web' }));
  assert.equal(hosts.filter((h) => r.test(h)).length, 25);
});

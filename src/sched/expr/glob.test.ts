import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { globMatch } from './glob.js';

test('wildcards: * any run (also / and a leading dot), ? one character', () => {
  assert.ok(globMatch('node*', 'node'));
  assert.ok(globMatch('node*', 'node12'));
  assert.ok(!globMatch('node*', 'xnode1'));
  assert.ok(globMatch('*', ''));
  assert.ok(globMatch('a*/b', 'a/x/b'));
  assert.ok(globMatch('*', '.hidden'));
  assert.ok(globMatch('n?de', 'node'));
  assert.ok(!globMatch('n?de', 'nde'));
  assert.ok(globMatch('x*y*z', 'xaybz'));
});

test('plain text matches itself only, case-sensitively, regexp characters included', () => {
  assert.ok(globMatch('kvm', 'kvm'));
  assert.ok(!globMatch('kvm', 'KVM'));
  assert.ok(!globMatch('kvm', 'kvm2'));
  assert.ok(globMatch('(a|b)+.$', '(a|b)+.$'));
  assert.ok(!globMatch('a.c', 'abc'));
  assert.ok(globMatch('', ''));
});

test('brackets: sets, ranges, negation with ! or ^, a leading ] and POSIX classes', () => {
  assert.ok(globMatch('gpu[0-9]', 'gpu7'));
  assert.ok(!globMatch('gpu[0-9]', 'gpux'));
  assert.ok(globMatch('[abc]', 'b') && !globMatch('[abc]', 'd'));
  assert.ok(globMatch('[!a]', 'b') && !globMatch('[!a]', 'a'));
  assert.ok(globMatch('[^a]', 'b') && !globMatch('[^a]', 'a'));
  assert.ok(globMatch('[]a]', ']') && globMatch('[!]a]', 'b') && !globMatch('[!]a]', ']'));
  assert.ok(globMatch('[a-]', '-') && globMatch('[-a]', '-'));
  assert.ok(!globMatch('[z-a]', 'm'), 'a reversed range is empty');
  assert.ok(globMatch('[[:digit:]]*', '5x') && !globMatch('[[:digit:]]*', 'x5'));
  assert.ok(globMatch('[![:space:]]', 'x') && !globMatch('[![:space:]]', ' '));
  assert.ok(!globMatch('[[:foo:]]', 'f'), 'an unknown class matches nothing');
});

test('an unclosed [ is a plain character; \\ quotes; a trailing lone \\ matches nothing', () => {
  assert.ok(globMatch('a[', 'a['));
  assert.ok(globMatch('[!]', '[!]'));
  assert.ok(globMatch('\\*', '*') && !globMatch('\\*', 'x'));
  assert.ok(globMatch('[\\]]', ']'));
  assert.ok(!globMatch('a\\', 'a\\') && !globMatch('a\\', 'a'));
});

/** Patterns and values whose answers are compared with glibc's own fnmatch(3). */
const PATTERNS = ['*', '?', 'a*', '*a', 'a?c', '[abc]', '[a-c]x', '[!a]', '[^a]', '[]a]', '[!]a]', '[', '[]', '[!]',
  'a\\', '\\*', '\\a', '[\\]]', '[a\\-z]', '[z-a]', '[!z-a]', '[a-]', '[-a]', '[[:digit:]]*', '[[:alpha:][:digit:]]',
  '[![:space:]]', '*.*', '.*', '*/b', 'a[/]b', '[[:upper:]]?', '[[:punct:]]', '[^]', 'a[', '[a', '**', 'x*y*z', '[.]',
  '(a|b)', 'a+', '$^', '{a}', '[[:foo:]]', '[a-c-e]', 'node*', 'gpu[0-9]', '[[:alpha]]'];
const VALUES = ['', 'a', 'b', 'c', 'ab', 'abc', 'ba', ']', '[', '[]', '[!]', 'a\\', '*', '-', 'z', 'm', '5', '5x', 'x',
  ' ', '\t', '.a', 'a/b', 'A1', '!', '^', '(a|b)', 'a+', '$^', '{a}', 'xyz', 'xaybz', 'd', 'e', 'node1', 'gpu7', 'a]'];

const GLIBC = `
import ctypes, json, sys
fnmatch = ctypes.CDLL(None).fnmatch
cases = json.load(sys.stdin)
print(json.dumps([fnmatch(p.encode(), v.encode(), 0) == 0 for p, v in cases]))
`;

const glibc = spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).fnmatch'], { encoding: 'utf8' });

const skip = glibc.status !== 0 && 'needs python3 with ctypes over glibc';

test('agrees with glibc fnmatch(pattern, value, 0) on every pair', { skip }, () => {
  const cases = PATTERNS.flatMap((p) => VALUES.map((v) => [p, v] as const));
  const r = spawnSync('python3', ['-c', GLIBC], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as boolean[];
  const differ = cases.filter(([p, v], i) => globMatch(p, v) !== expected[i]);
  assert.deepEqual(differ, []);
});

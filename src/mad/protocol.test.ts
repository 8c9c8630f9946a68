import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodePayload,
  formatLog,
  formatReply,
  formatRequest,
  LineSplitter,
  parseDriverLine,
  parseRequest,
} from './protocol.js';

test('replies: action, result, id and the rest of the line as info', () => {
  assert.deepEqual(parseDriverLine('DEPLOY SUCCESS 12 one-12'), {
    type: 'reply', action: 'DEPLOY', result: 'SUCCESS', id: 12, info: 'one-12',
  });
  assert.deepEqual(parseDriverLine('POLL  FAILURE\t7   cannot  reach host \r'), {
    type: 'reply', action: 'POLL', result: 'FAILURE', id: 7, info: 'cannot  reach host',
  });
  assert.equal((parseDriverLine('SHUTDOWN SUCCESS 3 -') as { info: string }).info, '');
  assert.equal((parseDriverLine('SHUTDOWN SUCCESS 3') as { info: string }).info, '');
  assert.deepEqual(parseDriverLine('INIT SUCCESS'), { type: 'reply', action: 'INIT', result: 'SUCCESS', id: -1, info: '' });
  assert.equal((parseDriverLine('MONITOR SUCCESS -1 x') as { id: number }).id, -1);
});

test('LOG lines: severity, id, text; unknown severities count as info', () => {
  assert.deepEqual(parseDriverLine('LOG E 4 Command execution failed: deploy'), {
    type: 'log', severity: 'E', id: 4, text: 'Command execution failed: deploy',
  });
  assert.equal((parseDriverLine('LOG X 4 hm') as { severity: string }).severity, 'I');
  assert.deepEqual(parseDriverLine('LOG I -1'), { type: 'log', severity: 'I', id: -1, text: '' });
});

test('garbage is reported, never thrown', () => {
  for (const [line, reason] of [
    ['', 'empty line'],
    ['hello world', 'not an action name'],
    ['DEPLOY MAYBE 3 x', 'result is neither SUCCESS nor FAILURE'],
    ['DEPLOY SUCCESS three x', 'id is not a number'],
    ['LOG I x text', 'LOG id is not a number'],
    ['\u0000\u0001 binary', 'not an action name'],
  ] as const) {
    const m = parseDriverLine(line);
    assert.equal(m.type, 'garbage', line);
    assert.equal((m as { reason: string }).reason, reason);
  }
});

test('requests: fields joined by one blank; arguments that would break the line are refused', () => {
  assert.equal(formatRequest('DEPLOY', 12, ['PFZN']), 'DEPLOY 12 PFZN\n');
  assert.equal(formatRequest('STOPMONITOR', -1, []), 'STOPMONITOR -1\n');
  assert.throws(() => formatRequest('DEPLOY', 1, ['a\nINIT']), RangeError);
  assert.throws(() => formatRequest('DEPLOY', 1, ['a b']), RangeError);
  assert.throws(() => formatRequest('DEPLOY', 1, ['']), RangeError);
  assert.throws(() => formatRequest('deploy\n', 1, []), RangeError);
  assert.throws(() => formatRequest('DEPLOY', 1.5, []), RangeError);
});

test('requests as drivers read them, in the 3.x and the HEAD layouts', () => {
  assert.deepEqual(parseRequest('DEPLOY 12 PFZN'), { action: 'DEPLOY', id: 12, args: ['PFZN'] });
  assert.deepEqual(parseRequest('DEPLOY  12 PFZN\r'), { action: 'DEPLOY', id: 12, args: ['PFZN'] });
  assert.deepEqual(parseRequest('MONITOR 3 host1 /var/lib/one/datastores 1'), {
    action: 'MONITOR', id: 3, args: ['host1', '/var/lib/one/datastores', '1'],
  });
  assert.deepEqual(parseRequest('init'), { action: 'INIT', id: -1, args: [] });
  assert.equal(parseRequest('DEPLOY x'), undefined);
  assert.equal(parseRequest('  '), undefined);
});

test('replies and logs never span lines', () => {
  assert.equal(formatReply('POLL', 'SUCCESS', 3, 'STATE=a\nCPU=1\r\n'), 'POLL SUCCESS 3 STATE=a CPU=1\n');
  assert.equal(formatReply('DEPLOY', 'FAILURE', 3, ''), 'DEPLOY FAILURE 3 -\n');
  assert.equal(formatReply('DEPLOY', 'FAILURE', 3, '\n\n'), 'DEPLOY FAILURE 3 -\n');
  assert.equal(formatLog('E', 9, 'first\n\n  second  \n'), 'LOG E 9 first\nLOG E 9 second\n');
  assert.equal(formatLog('I', 9, ' \n'), '');
  const reply = parseDriverLine(formatReply('X', 'SUCCESS', 1, 'a\nLOG E 1 forged').trimEnd());
  assert.deepEqual(reply, { type: 'reply', action: 'X', result: 'SUCCESS', id: 1, info: 'a LOG E 1 forged' });
});

test('line splitter: lines across chunks, last line at end, runaway lines dropped', () => {
  const lines: string[] = [];
  const overflows: number[] = [];
  const s = new LineSplitter((l) => lines.push(l), (n) => overflows.push(n), 10);
  s.push('ab');
  s.push('c\nde\n\nf');
  s.push('0123456789xyz');
  s.push('still long\nok\nlast');
  s.end();
  assert.deepEqual(lines, ['abc', 'de', '', 'ok', 'last']);
  assert.equal(overflows.length, 1);
});

test('base64 payloads decoded, plain 3.x payloads kept', () => {
  assert.equal(decodePayload(Buffer.from('HYPERVISOR=dummy\nTOTALCPU=800\n').toString('base64')), 'HYPERVISOR=dummy\nTOTALCPU=800\n');
  assert.equal(decodePayload('HYPERVISOR=kvm TOTALCPU=800'), 'HYPERVISOR=kvm TOTALCPU=800');
  assert.equal(decodePayload('USED_MB=1'), 'USED_MB=1');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRun, stripTelnet } from './guest-shell.js';

test('telnet negotiation and sub-negotiation bytes are dropped, an escaped 0xff kept', () => {
  const raw = Buffer.from([0xff, 0xfd, 0x18, 0x41, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 0x42, 0xff, 0xff, 0x43]);
  assert.deepEqual([...stripTelnet(raw)], [0x41, 0x42, 0xff, 0x43]);
});

test('the output between the markers and the status; the echoed command line does not count', () => {
  const echoed = '/ # echo TGR""UN1-BEGIN; nproc; echo TGR""UN1-END $?\r\n';
  assert.equal(parseRun(echoed, 'TGRUN1'), undefined);
  assert.deepEqual(parseRun(`${echoed}TGRUN1-BEGIN\r\n2\r\nTGRUN1-END 0\r\n/ # `, 'TGRUN1'), { out: '2', code: 0 });
  assert.deepEqual(parseRun(`${echoed}TGRUN1-BEGIN\r\nTGRUN1-END 1\r\n`, 'TGRUN1'), { out: '', code: 1 });
  assert.equal(parseRun(`${echoed}TGRUN1-BEGIN\r\npartial`, 'TGRUN1'), undefined);
});

/** Console tokens (one use, expiry) and where a VM's VNC is, from oned's VM XML. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleTokens, serialTarget, vncTarget } from './console.js';
import { HttpError } from './errors.js';

const vm = (state: number, lcm: number, graphics: string, history = '<HISTORY><HOSTNAME>h1</HOSTNAME></HISTORY><HISTORY><HOSTNAME>h2</HOSTNAME></HISTORY>') =>
  `<VM><ID>7</ID><NAME>web</NAME><STATE>${state}</STATE><LCM_STATE>${lcm}</LCM_STATE><TEMPLATE>${graphics}</TEMPLATE><HISTORY_RECORDS>${history}</HISTORY_RECORDS></VM>`;

test('a running VM with VNC graphics: the last host, the port, LISTEN and PASSWD', () => {
  const t = vncTarget(vm(3, 3, '<GRAPHICS><TYPE><![CDATA[vnc]]></TYPE><PORT>5907</PORT><LISTEN>0.0.0.0</LISTEN><PASSWD>pw</PASSWD></GRAPHICS>'));
  assert.deepEqual(t, { vmId: 7, vmName: 'web', host: 'h2', listen: '0.0.0.0', port: 5907, password: 'pw' });
});

test('no VNC, not running, no port: a refusal that says why', () => {
  const why = (xml: string) => {
    try {
      vncTarget(xml);
    } catch (e) {
      assert.ok(e instanceof HttpError);
      return e.message;
    }
    return 'accepted';
  };
  assert.match(why(vm(3, 3, '<CPU>1</CPU>')), /has no VNC console/);
  assert.match(why(vm(3, 3, '<GRAPHICS><TYPE>SPICE</TYPE><PORT>5907</PORT></GRAPHICS>')), /has no VNC console/);
  assert.match(why(vm(8, 0, '<GRAPHICS><TYPE>VNC</TYPE><PORT>5907</PORT></GRAPHICS>')), /is not running/);
  assert.match(why(vm(3, 3, '<GRAPHICS><TYPE>VNC</TYPE></GRAPHICS>')), /no host or VNC port/);
});

test('a token works once and not after its time', () => {
  const tokens = new ConsoleTokens(60);
  const target = { kind: 'vnc' as const, vmId: 1, vmName: 'a', host: 'h', listen: '', port: 5901, user: 'u', sessionId: 's' };
  const { token } = tokens.issue(target, 1000);
  assert.equal(tokens.consume(token, 2000)?.port, 5901);
  assert.equal(tokens.consume(token, 2000), undefined);
  const late = tokens.issue(target, 1000).token;
  assert.equal(tokens.consume(late, 1000 + 61_000), undefined);
  assert.equal(tokens.consume('made-up'), undefined);
});

test('the serial output: the file the kvm driver writes in the VM directory on its host', () => {
  const hist = (mad: string) => `<HISTORY><HOSTNAME>h2</HOSTNAME><DS_ID>100</DS_ID><VM_MAD>${mad}</VM_MAD></HISTORY>`;
  const ds = '<DATASTORE><ID>100</ID><BASE_PATH>/var/lib/one//datastores/100/</BASE_PATH></DATASTORE>';
  assert.deepEqual(serialTarget(vm(3, 3, '', hist('kvm')), ds), { vmId: 7, vmName: 'web', host: 'h2', path: '/var/lib/one//datastores/100/7/console.log' });
  assert.throws(() => serialTarget(vm(3, 3, '', hist('dummy')), ds), /keeps no serial output/);
  assert.throws(() => serialTarget(vm(8, 0, '', hist('kvm')), ds), /is not on a host/);
});

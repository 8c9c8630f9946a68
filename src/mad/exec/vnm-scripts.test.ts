/**
 * The network driver scripts (remotes/vnm) without a host: how they read the VM XML (only their
 * own NICs, only from TEMPLATE, escaped text and CDATA) and how they refuse values that are not
 * interface names, VLAN ids or addresses, before running anything. Their effect on a real host
 * is tested in test/e2e/real-vnm.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, writeScript } from '../testing.js';

const REMOTES = resolve(import.meta.dirname, '../../../../remotes');
const tree = tempDir('vnm-remotes');
cpSync(REMOTES, tree, { recursive: true });
// Prints each NIC the ebtables driver would act on.
writeScript(join(tree, 'vnm/ebtables/list'), '#!/bin/sh\n. "$(dirname "$0")/../vnm_common.sh"\nread_vm\nshow() { echo "$*"; }\neach_nic show\n');
const state = tempDir('vnm-state');

function run(script: string, vmXml: string): { code: number | null; stdout: string; error: string } {
  const r = spawnSync(join(tree, 'vnm', script), [], { input: Buffer.from(vmXml).toString('base64'), encoding: 'utf8', env: { ...process.env, ONE_VNM_STATE: state } });
  const error = /ERROR MESSAGE --8<------\n([\s\S]*?)\nERROR MESSAGE ------>8--/.exec(r.stderr)?.[1] ?? '';
  return { code: r.status, stdout: r.stdout, error };
}

const nic = (fields: Record<string, string>) => `<NIC>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</NIC>`;
const vm = (nics: string, user = '') => `<VM><ID>42</ID><NAME>x</NAME><TEMPLATE>${nics}</TEMPLATE><USER_TEMPLATE>${user}</USER_TEMPLATE></VM>`;

test('a driver reads its own NICs of the VM TEMPLATE: tap one-<vm>-<nic> unless TARGET names one', () => {
  const xml = vm(
    nic({ NIC_ID: '0', VN_MAD: 'ebtables', BRIDGE: 'br0', MAC: '02:00:0a:00:00:01', IP: '10.0.0.1' }) +
      nic({ NIC_ID: '1', VN_MAD: 'bridge', BRIDGE: 'br1' }) +
      nic({ NIC_ID: '2', VN_MAD: 'ebtables', BRIDGE: '<![CDATA[br|2]]>', MAC: '02:00:0a:00:00:03', TARGET: 'vnet7' }) +
      nic({ NIC_ID: '3', VN_MAD: 'ebtables', BRIDGE: 'a&amp;b', PHYDEV: 'eth0', VLAN_ID: '9' }),
    nic({ NIC_ID: '9', VN_MAD: 'ebtables', BRIDGE: 'user' }),
  );
  assert.deepEqual(run('ebtables/list', xml), {
    code: 0,
    error: '',
    stdout: '0 br0   02:00:0a:00:00:01 10.0.0.1 one-42-0 \n2 br|2   02:00:0a:00:00:03  vnet7 \n3 a&b eth0 9   one-42-3 \n',
  });
});

test('while a NIC is attached or detached (ATTACH = YES) the steps are about that NIC only', () => {
  const xml = vm(nic({ NIC_ID: '0', VN_MAD: 'ebtables', BRIDGE: 'br0' }) + nic({ NIC_ID: '1', VN_MAD: 'ebtables', BRIDGE: 'br1', ATTACH: 'YES' }));
  assert.equal(run('ebtables/list', xml).stdout, '1 br1     one-42-1 \n');
  const other = vm(nic({ NIC_ID: '0', VN_MAD: 'ebtables', BRIDGE: 'br0' }) + nic({ NIC_ID: '1', VN_MAD: 'bridge', BRIDGE: 'br1', ATTACH: 'YES' }));
  assert.equal(run('ebtables/list', other).stdout, '', "another driver's NIC is attached: nothing for this one");
});

test('values that are not names or addresses are refused with the step and the reason, nothing run', () => {
  const one = (f: Record<string, string>) => vm(nic({ NIC_ID: '0', ...f }));
  const cases: [string, string, string][] = [
    ['bridge/pre', one({ VN_MAD: 'bridge', BRIDGE: 'br0;reboot' }), "bridge: 'br0;reboot' is not a valid interface name"],
    ['bridge/pre', one({ VN_MAD: 'bridge', BRIDGE: 'a-very-long-bridge-name' }), "bridge: 'a-very-long-bridge-name' is not a valid interface name (more than 15 characters)"],
    ['bridge/pre', one({ VN_MAD: 'bridge' }), 'bridge: NIC 0 has no BRIDGE'],
    ['bridge/clean', one({ VN_MAD: 'bridge', BRIDGE: '..' }), "bridge: '..' is not a valid interface name"],
    ['bridge/pre', one({ VN_MAD: 'bridge', BRIDGE: 'br/0' }), "bridge: 'br/0' is not a valid interface name"],
    ['ebtables/post', one({ VN_MAD: 'ebtables', BRIDGE: 'br0', TARGET: 'tap:1' }), "ebtables NIC 0: 'tap:1' is not a valid interface name"],
    ['bridge/pre', one({ VN_MAD: 'bridge', BRIDGE: 'br0', PHYDEV: '-x' }), "bridge br0: '-x' is not a valid interface name"],
    ['802.1Q/pre', one({ VN_MAD: '802.1Q', BRIDGE: 'br9' }), '802.1Q: NIC 0: the network has no PHYDEV'],
    ['802.1Q/pre', one({ VN_MAD: '802.1Q', BRIDGE: 'br9', PHYDEV: 'eth0', VLAN_ID: '5000' }), '802.1Q NIC 0: VLAN_ID 5000 is out of 1..4094'],
    ['802.1Q/pre', one({ VN_MAD: '802.1Q', BRIDGE: 'br9', PHYDEV: 'eth0', VLAN_ID: '1 2' }), "802.1Q NIC 0: VLAN_ID '1 2' is not a number"],
    ['ebtables/post', one({ VN_MAD: 'ebtables', BRIDGE: 'br0', MAC: 'zz' }), "ebtables one-42-0: 'zz' is not a MAC address"],
    ['ebtables/post', one({ VN_MAD: 'ebtables', BRIDGE: 'br0', MAC: '02:00:0a:00:00:01', IP: '10.0.0.300' }), 'ebtables one-42-0: not an IPv4 address'],
    ['ebtables/post', one({ VN_MAD: 'ebtables', BRIDGE: 'br0', MAC: '02:00:0a:00:00:01', IP: '10.0.0.1 -j ACCEPT' }), "ebtables one-42-0: '10.0.0.1 -j ACCEPT' is not an IPv4 address"],
    ['bridge/clean', 'not a VM', 'bridge: no VM XML (<VM><ID>...) on stdin'],
  ];
  for (const [script, xml, error] of cases) assert.deepEqual([script, run(script, xml).code, run(script, xml).error], [script, 1, error]);
});

test('a VM without NICs of the driver: every step does nothing and succeeds', () => {
  const xml = vm(nic({ NIC_ID: '0', VN_MAD: 'dummy', BRIDGE: 'br0;x' }));
  for (const script of ['bridge/pre', 'bridge/post', 'bridge/clean', '802.1Q/pre', '802.1Q/clean', 'ebtables/pre', 'ebtables/post', 'ebtables/clean']) {
    assert.deepEqual([script, run(script, xml)], [script, { code: 0, stdout: '', error: '' }]);
  }
});

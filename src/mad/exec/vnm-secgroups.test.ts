/**
 * The security group chains of the network drivers (remotes/vnm/security_groups.sh) without a
 * host: a fake iptables records the commands post, update_sg and clean run for a VM's
 * SECURITY_GROUP_RULEs. Their effect on real traffic is tested in test/e2e/real-secgroups.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, writeScript } from '../testing.js';

const REMOTES = resolve(import.meta.dirname, '../../../../remotes');
const tree = tempDir('sg-remotes');
cpSync(REMOTES, tree, { recursive: true });
const bin = tempDir('sg-bin');
const log = join(bin, 'log');
// Listing or deleting finds nothing (no chain yet); everything else is recorded.
writeScript(join(bin, 'iptables'), `#!/bin/sh\nfor a in "$@"; do case "$a" in -L|-D) exit 1 ;; esac; done\necho "$*" >> "${log}"\n`);
const nf = join(bin, 'bridge-nf-call-iptables');

function run(script: string, vmXml: string): { code: number | null; cmds: string[]; error: string } {
  rmSync(log, { force: true });
  writeFileSync(nf, '0\n');
  const r = spawnSync(join(tree, 'vnm', script), ['one-42', 'host'], {
    input: Buffer.from(vmXml).toString('base64'),
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ONE_VNM_STATE: tempDir('sg-state'), ONE_SG_BRIDGE_NF: nf },
  });
  const error = /ERROR MESSAGE --8<------\n([\s\S]*?)\nERROR MESSAGE ------>8--/.exec(r.stderr)?.[1] ?? '';
  let cmds: string[] = [];
  try {
    cmds = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.replace(/^-w 10 /, ''));
  } catch {
    /* nothing run */
  }
  return { code: r.status, cmds, error };
}

const rule = (f: Record<string, string>) => `<SECURITY_GROUP_RULE>${Object.entries(f).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</SECURITY_GROUP_RULE>`;
const vm = (groups: string, rules: string, vnMad = 'bridge') =>
  `<VM><ID>42</ID><TEMPLATE><NIC><BRIDGE>br0</BRIDGE><NIC_ID>0</NIC_ID><SECURITY_GROUPS>${groups}</SECURITY_GROUPS><VN_MAD>${vnMad}</VN_MAD></NIC>${rules}</TEMPLATE></VM>`;
const DEFAULT = rule({ PROTOCOL: 'ALL', RULE_TYPE: 'OUTBOUND', SECURITY_GROUP_ID: '0' }) + rule({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '0' });

test('a NIC whose groups allow everything (the default group) gets no chain', () => {
  assert.deepEqual(run('bridge/post', vm('0', DEFAULT)), { code: 0, cmds: [], error: '' });
});

test('post: two chains per NIC, replies and the allowed traffic RETURN, the rest dropped, jumps from FORWARD by physdev', () => {
  const rules =
    rule({ PROTOCOL: 'TCP', RULE_TYPE: 'INBOUND', RANGE: '22,8000:8080', IP: '10.0.0.250', SIZE: '10', SECURITY_GROUP_ID: '100' }) +
    rule({ PROTOCOL: 'ICMP', RULE_TYPE: 'INBOUND', ICMP_TYPE: '8', SECURITY_GROUP_ID: '100' }) +
    rule({ PROTOCOL: 'UDP', RULE_TYPE: 'OUTBOUND', RANGE: '53', SECURITY_GROUP_ID: '100' }) +
    rule({ PROTOCOL: 'IPSEC', RULE_TYPE: 'OUTBOUND', SECURITY_GROUP_ID: '100' }) +
    rule({ PROTOCOL: 'ICMPv6', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '100' }) +
    rule({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '101' });
  const r = run('bridge/post', vm('100', rules));
  assert.equal(r.error, '');
  assert.deepEqual(r.cmds, [
    '-N one-42-0-i',
    '-A one-42-0-i -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
    '-N one-42-0-o',
    '-A one-42-0-o -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
    '-A one-42-0-i -m iprange --src-range 10.0.0.250-10.0.1.3 -p tcp --dport 22 -j RETURN',
    '-A one-42-0-i -m iprange --src-range 10.0.0.250-10.0.1.3 -p tcp --dport 8000:8080 -j RETURN',
    '-A one-42-0-i -p icmp --icmp-type 8 -j RETURN',
    '-A one-42-0-o -p udp --dport 53 -j RETURN',
    '-A one-42-0-o -p esp -j RETURN',
    '-A one-42-0-i -j DROP',
    '-A one-42-0-o -j DROP',
    '-I FORWARD 1 -m physdev --physdev-out one-42-0 --physdev-is-bridged -j one-42-0-i',
    '-I FORWARD 1 -m physdev --physdev-in one-42-0 --physdev-is-bridged -j one-42-0-o',
  ]);
  assert.equal(readFileSync(nf, 'utf8').trim(), '1', 'bridged frames pass iptables');
});

test('update_sg and the ebtables and 802.1Q drivers build the same chains', () => {
  const rules = rule({ PROTOCOL: 'TCP', RULE_TYPE: 'INBOUND', RANGE: '8080', SECURITY_GROUP_ID: '100' });
  const expected = run('bridge/post', vm('0,100', rules)).cmds;
  assert.ok(expected.includes('-A one-42-0-i -p tcp --dport 8080 -j RETURN'));
  assert.deepEqual(run('bridge/update_sg', vm('0,100', rules)).cmds, expected);
  assert.deepEqual(run('802.1Q/update_sg', vm('100', rules, '802.1Q')).cmds, expected);
  assert.deepEqual(run('ebtables/update_sg', vm('100', rules, 'ebtables')).cmds, expected);
});

test('values that are not ports, addresses or ids are refused before iptables runs', () => {
  const cases: [string, string][] = [
    [rule({ PROTOCOL: 'TCP', RULE_TYPE: 'INBOUND', RANGE: '22;reboot', SECURITY_GROUP_ID: '100' }), "security groups one-42-0: RANGE '22;reboot' is not ports and port ranges"],
    [rule({ PROTOCOL: 'TCP', RULE_TYPE: 'INBOUND', IP: '1.2.3.4 -j ACCEPT', SIZE: '1', SECURITY_GROUP_ID: '100' }), "security groups one-42-0: '1.2.3.4 -j ACCEPT' is not an IPv4 address"],
    [rule({ PROTOCOL: 'ICMP', RULE_TYPE: 'INBOUND', ICMP_TYPE: '8 -j', SECURITY_GROUP_ID: '100' }), "security groups one-42-0: ICMP_TYPE '8 -j' is not a number"],
    [rule({ PROTOCOL: 'GRE', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '100' }), "security groups one-42-0: PROTOCOL 'GRE' is not TCP, UDP, ICMP, ICMPv6, IPSEC or ALL"],
  ];
  for (const [rules, error] of cases) {
    const r = run('bridge/post', vm('100', rules));
    assert.equal(r.error, error);
    assert.equal(r.code, 1);
    assert.ok(!r.cmds.some((c) => c.includes('--dport') || c.includes('iprange') || c.includes('icmp-type')), r.cmds.join('\n'));
  }
  assert.equal(run('bridge/post', vm('100;x', '')).error, "security groups one-42-0: SECURITY_GROUPS '100;x' is not a list of ids");
});

test('clean removes the chains', () => {
  const r = run('bridge/clean', vm('100', rule({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '100' })));
  assert.equal(r.code, 0);
});

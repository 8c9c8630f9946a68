/**
 * Issue 14's security groups on real hosts (namespace hosts with sshd and libvirtd, the tiny
 * guest: test/e2e/real-cloud.ts), measured with real connections between two guests: both serve
 * HTTP on 8080; a group that lets 8080 in only from guest A (and the test's telnet and ping from
 * anywhere) is put on both guests' NICs while they run (sg-attach, then the default group
 * sg-detach): A reaches B's 8080, B is kept out of A's. The group's rule is changed to B's
 * address (one.secgroup.update, which commits): without a restart, B now reaches A and A is kept
 * out of B. The hosts' filter chains go with the VMs. Needs root; `npm run test:real`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { guestOk, guestRun } from './guest-shell.js';
import { RealCloud, S } from './real-cloud.js';
import { realSkip, whyNotReal, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-sg', net: '10.76.0', bridge: 'onetbr76' };
const skip = RealCloud.unavailable() ?? whyNotReal('iptables');
const LONG = { timeout: 1_200_000 };

const nicIp = (v: XmlNode) => childText(child(child(v, 'TEMPLATE')!, 'NIC')!, 'IP');
const ids = (sg: XmlNode, name: string) => (child(sg, name)?.children ?? []).map((c) => Number(c.text));

/** The group's rules: 8080 only from `from`; telnet (the test's shell), HTTP and ping from anywhere; all out. */
const rules = (from: string) =>
  `RULE = [ PROTOCOL = "TCP", RULE_TYPE = "inbound", RANGE = "8080", IP = "${from}", SIZE = "1" ]\n` +
  'RULE = [ PROTOCOL = "TCP", RULE_TYPE = "inbound", RANGE = "23,80" ]\nRULE = [ PROTOCOL = "ICMP", RULE_TYPE = "inbound" ]\n' +
  'RULE = [ PROTOCOL = "ALL", RULE_TYPE = "outbound" ]';

describe('security groups filter real traffic between guests', { skip: realSkip(skip) }, () => {
  let cloud: RealCloud;

  before(async () => {
    cloud = await RealCloud.make(['sga', 'sgb'], 0.5, SPACE);
  }, LONG);
  after(async () => {
    await cloud?.stop();
  });

  /** What guest `from` gets from `to`:8080 (wget, at most 5 s): the page, or wget's complaint. */
  const get8080 = async (from: string, to: string) => (await guestRun(from, `timeout 5 wget -q -O - http://${to}:8080/ 2>&1`)).out;
  const reaches = async (from: string, to: string) => {
    const out = await get8080(from, to);
    return { ok: out.includes(`port8080-${to}`), out: `${from} -> ${to}:8080: ${out}` };
  };

  test('only the allowed guest connects; a rule change reaches the running VMs; nothing is left after terminate', LONG, async () => {
    const [a, b] = await cloud.instantiate(2) as [number, number];
    const ipA = nicIp(await cloud.waitState(a, S.ACTIVE));
    const ipB = nicIp(await cloud.waitState(b, S.ACTIVE));
    for (const ip of [ipA, ipB]) await guestOk(ip, `mkdir -p /tmp/w && echo port8080-${ip} > /tmp/w/index.html && httpd -p 8080 -h /tmp/w`, 300_000);
    for (const [x, y] of [[ipA, ipB], [ipB, ipA]] as const) {
      const r = await reaches(x, y);
      assert.ok(r.ok, `the default group lets everything through; ${r.out}`);
    }

    const o = cloud.oned;
    const sg = Number(await o.ok('one.secgroup.allocate', [`NAME = "only-a"\n${rules(ipA)}`]));
    const settled = async (vms: number[]) =>
      cloud.until(`security group ${sg} UPDATED for ${vms.join(',')}`, 120_000, async () => {
        const x = parseXmlTree(String(await o.ok('one.secgroup.info', [sg])));
        assert.deepEqual(ids(x, 'ERROR_VMS'), [], 'no host refused the rules');
        return vms.every((v) => ids(x, 'UPDATED_VMS').includes(v));
      });
    for (const vm of [a, b]) {
      await o.ok('one.vm.attachsg', [vm, 0, sg]);
      await settled([vm]);
      await o.ok('one.vm.detachsg', [vm, 0, 0]);
      await cloud.until(`VM ${vm}'s host has the rules without group 0`, 60_000, async () => cloud.vmLog(vm).includes('Security group 0 rules updated'));
    }
    const allowed = await reaches(ipA, ipB);
    assert.ok(allowed.ok, `A is allowed into B; ${allowed.out}`);
    const kept = await reaches(ipB, ipA);
    assert.ok(!kept.ok, `B is kept out of A; ${kept.out}`);
    assert.ok(RealCloud.pings(ipA) && RealCloud.pings(ipB), 'ping is allowed');

    await o.ok('one.secgroup.update', [sg, rules(ipB), 0]);
    await settled([a, b]);
    const now = await reaches(ipB, ipA);
    assert.ok(now.ok, `B is now allowed into A, the VMs still running; ${now.out}`);
    const out = await reaches(ipA, ipB);
    assert.ok(!out.ok, `A is now kept out of B; ${out.out}`);

    for (const vm of [a, b]) await o.ok('one.vm.action', ['terminate-hard', vm]);
    for (const vm of [a, b]) await cloud.waitState(vm, S.DONE);
    for (const h of cloud.hosts) assert.doesNotMatch(h.out('iptables', '-S'), new RegExp(`one-(${a}|${b})-`), `no chain of the VMs left on ${h.name}`);
  });
});

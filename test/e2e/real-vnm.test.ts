/**
 * The network drivers (remotes/vnm/bridge, 802.1Q, ebtables) run by the real `one_vmm_exec`
 * over real ssh on a namespace host, around DEPLOY and SHUTDOWN. The hypervisor is a stand-in
 * (vmm/nsvm below): each NIC becomes a network namespace whose eth0 is the veth peer of the tap
 * `one-<vm>-<nic>` on the NIC's bridge, so frames really cross the bridge and its ebtables rules.
 * Checked from inside the host with `ip -d link` and `ebtables -L`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Driver } from '../../src/mad/driver.js';
import { actionData, binDriver, tempDir, writeScript } from '../../src/mad/testing.js';
import { realSkip, TestHost, whyNotReal, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-vnm', net: '10.73.0', bridge: 'onetbr73' };
const skip = whyNotReal('ebtables', 'ip');
/** Where the runner copies the remotes on the host (/tmp is shared with it). */
const REMOTE_DIR = join(SPACE.dir, 'remotes-vnm-test');

const NSVM: Record<string, string> = {
  // deploy DOMAIN HOST VM_ID HOST; stdin: one "TAP BRIDGE MAC IP/PREFIX" line per NIC.
  deploy: `set -e
while read -r tap br mac ip; do
  ip netns add "$tap"
  ip link add "$tap" type veth peer name eth0 netns "$tap"
  ip -n "$tap" link set eth0 address "$mac"
  ip -n "$tap" addr add "$ip" dev eth0
  ip -n "$tap" link set eth0 up
  ip link set "$tap" master "$br" up
done
echo "ns-$3"`,
  // detach_nic DEPLOY_ID MAC VM_ID HOST: the tap and namespace of that NIC go.
  detach_nic: `for ns in $(ip netns list | cut -d' ' -f1); do
  case "$ns" in one-"$3"-*) if ip -n "$ns" link show eth0 | grep -qi "link/ether $2"; then ip link del "$ns"; ip netns del "$ns"; fi ;; esac
done`,
  // shutdown DEPLOY_ID HOST VM_ID HOST: the VM's taps and namespaces go.
  shutdown: `for ns in $(ip netns list | cut -d' ' -f1); do
  case "$ns" in one-"$3"-*) ip link del "$ns" 2>/dev/null; ip netns del "$ns" ;; esac
done`,
};

interface Nic {
  readonly attach?: boolean;
  readonly vnMad: string;
  readonly bridge: string;
  readonly mac?: string;
  readonly ip?: string;
  readonly phydev?: string;
  readonly vlanId?: string;
}

function vmXml(id: number, nics: readonly Nic[]): string {
  const el = (k: string, v: string | undefined) => (v === undefined ? '' : `<${k}>${v}</${k}>`);
  const body = nics
    .map((n, i) => `<NIC>${el('ATTACH', n.attach ? 'YES' : undefined)}${el('BRIDGE', n.bridge)}${el('IP', n.ip)}${el('MAC', n.mac)}${el('NIC_ID', String(i))}${el('PHYDEV', n.phydev)}${el('VLAN_ID', n.vlanId)}${el('VN_MAD', n.vnMad)}</NIC>`)
    .join('');
  return `<VM><ID>${id}</ID><NAME>vm-${id}</NAME><TEMPLATE>${body}</TEMPLATE><USER_TEMPLATE/></VM>`;
}

describe('network drivers on a namespace host', { skip: realSkip(skip) }, () => {
  let host: TestHost;
  let driver: Driver;
  const work = tempDir('real-vnm');

  before(async () => {
    host = TestHost.make(SPACE, 'vnm1', 1);
    const remotes = join(work, 'remotes');
    cpSync(resolve(import.meta.dirname, '../../../remotes'), remotes, { recursive: true });
    for (const [name, body] of Object.entries(NSVM)) writeScript(join(remotes, 'vmm/nsvm', name), `#!/bin/sh\n${body}\n`);
    const env = { ...process.env, PATH: `${host.binDir}:${process.env['PATH']}`, ONE_REMOTES_DIR: remotes, SCRIPTS_REMOTE_DIR: REMOTE_DIR };
    driver = binDriver('one_vmm_exec', ['-t', '2', 'nsvm'], { env });
    await driver.start();
  });
  after(async () => {
    await driver?.stop();
    host?.remove();
    for (const d of [work, REMOTE_DIR]) rmSync(d, { recursive: true, force: true });
  });

  async function deploy(id: number, nics: readonly Nic[]): Promise<{ ok: boolean; info: string }> {
    const domain = join(work, `deployment.${id}`);
    writeFileSync(domain, nics.map((n, i) => `one-${id}-${i} ${n.bridge} ${n.mac ?? '02:00:0a:49:00:01'} ${n.ip ?? '10.99.0.1'}/24\n`).join(''));
    const data = `<VMM_DRIVER_ACTION_DATA><HOST>vnm1</HOST><LOCAL_DEPLOYMENT_FILE>${domain}</LOCAL_DEPLOYMENT_FILE><REMOTE_DEPLOYMENT_FILE>/x</REMOTE_DEPLOYMENT_FILE>${vmXml(id, nics)}</VMM_DRIVER_ACTION_DATA>`;
    const r = await driver.request('DEPLOY', id, [actionData(data)]);
    return { ok: r.ok, info: r.info };
  }

  async function shutdown(id: number, nics: readonly Nic[]): Promise<{ ok: boolean; info: string }> {
    const data = `<VMM_DRIVER_ACTION_DATA><HOST>vnm1</HOST><DEPLOY_ID>ns-${id}</DEPLOY_ID>${vmXml(id, nics)}</VMM_DRIVER_ACTION_DATA>`;
    const r = await driver.request('SHUTDOWN', id, [actionData(data)]);
    return { ok: r.ok, info: r.info };
  }

  async function detachNic(id: number, nics: readonly Nic[]): Promise<{ ok: boolean; info: string }> {
    const data = `<VMM_DRIVER_ACTION_DATA><HOST>vnm1</HOST><DEPLOY_ID>ns-${id}</DEPLOY_ID>${vmXml(id, nics)}</VMM_DRIVER_ACTION_DATA>`;
    const r = await driver.request('DETACHNIC', id, [actionData(data)]);
    return { ok: r.ok, info: r.info };
  }

  const hasLink = (name: string) => host.run('ip', 'link', 'show', 'dev', name).code === 0;
  const linkDetails = (name: string) => host.out('ip', '-d', 'link', 'show', 'dev', name);
  const ports = (bridge: string) => host.out('ls', `/sys/class/net/${bridge}/brif`).split('\n').filter((p) => p !== '').sort();
  const ebtables = () => host.out('ebtables', '-L');
  const setIp = (ns: string, cidr: string) => {
    host.out('ip', '-n', ns, 'addr', 'flush', 'dev', 'eth0');
    host.out('ip', '-n', ns, 'addr', 'add', cidr, 'dev', 'eth0');
  };
  /** Whether the namespace VM `from` reaches `ip` (neighbour caches flushed first). */
  const pings = (from: string, ip: string, others: readonly string[]) => {
    for (const ns of [from, ...others]) host.run('ip', '-n', ns, 'neigh', 'flush', 'all');
    return host.run('ip', 'netns', 'exec', from, 'busybox', 'ping', '-c', '1', '-W', '2', ip).code === 0;
  };

  test('ebtables: a VM cannot send with another MAC or IP; the chains and the bridge go with the last VM', async () => {
    const a: Nic = { vnMad: 'ebtables', bridge: 'onebr73', mac: '02:00:0a:63:00:32', ip: '10.99.0.50' };
    const b: Nic = { vnMad: 'ebtables', bridge: 'onebr73', mac: '02:00:0a:63:00:3c', ip: '10.99.0.60' };
    assert.equal(hasLink('onebr73'), false);
    assert.deepEqual(await deploy(5, [a]), { ok: true, info: 'ns-5' });
    assert.deepEqual(await deploy(6, [b]), { ok: true, info: 'ns-6' });
    assert.match(linkDetails('onebr73'), /bridge /, 'pre made the bridge');
    assert.deepEqual(ports('onebr73'), ['one-5-0', 'one-6-0']);
    const rules = ebtables();
    assert.match(rules, /-i one-5-0 -j one-5-0/);
    assert.match(rules, /Bridge chain: one-5-0, entries: 4, policy: RETURN\n-s ! 02:00:0a:63:00:32 -j DROP/);
    assert.match(rules, /--ip-src ! 10\.99\.0\.50 -j DROP/);
    assert.match(rules, /--arp-ip-src ! 10\.99\.0\.60 -j DROP/);

    assert.equal(pings('one-5-0', '10.99.0.60', ['one-6-0']), true, 'its own addresses pass');
    setIp('one-5-0', '10.99.0.61/24');
    assert.equal(pings('one-5-0', '10.99.0.60', ['one-6-0']), false, 'another IP is dropped');
    setIp('one-5-0', '10.99.0.50/24');
    host.out('ip', '-n', 'one-5-0', 'link', 'set', 'eth0', 'address', '02:00:0a:63:00:3d');
    assert.equal(pings('one-5-0', '10.99.0.60', ['one-6-0']), false, 'another MAC is dropped');
    host.out('ip', '-n', 'one-5-0', 'link', 'set', 'eth0', 'address', a.mac!);
    assert.equal(pings('one-5-0', '10.99.0.60', ['one-6-0']), true);

    assert.deepEqual(await shutdown(5, [a]), { ok: true, info: '' });
    assert.doesNotMatch(ebtables(), /one-5-0/, 'clean left no rule of VM 5');
    assert.match(ebtables(), /-i one-6-0 -j one-6-0/, 'the other VM keeps its rules');
    assert.deepEqual(ports('onebr73'), ['one-6-0'], 'the bridge stays while VM 6 uses it');
    assert.deepEqual(await shutdown(6, [b]), { ok: true, info: '' });
    assert.doesNotMatch(ebtables(), /one-/, 'no rule left');
    assert.match(ebtables(), /Bridge chain: FORWARD, entries: 0/);
    assert.equal(hasLink('onebr73'), false, 'the bridge the driver made is gone');
  });

  test('detaching one NIC cleans that NIC only: its rules go, the bridge stays for the VM\'s other NIC', async () => {
    const first: Nic = { vnMad: 'ebtables', bridge: 'onebr76', mac: '02:00:0a:63:00:5a', ip: '10.99.0.90' };
    const second: Nic = { vnMad: 'ebtables', bridge: 'onebr76', mac: '02:00:0a:63:00:5b', ip: '10.99.0.91' };
    assert.deepEqual(await deploy(10, [first, second]), { ok: true, info: 'ns-10' });
    assert.deepEqual(ports('onebr76'), ['one-10-0', 'one-10-1']);
    assert.deepEqual(await detachNic(10, [first, { ...second, attach: true }]), { ok: true, info: '' });
    assert.doesNotMatch(ebtables(), /one-10-1/);
    assert.match(ebtables(), /-i one-10-0 -j one-10-0/, 'the other NIC keeps its rules');
    assert.deepEqual(ports('onebr76'), ['one-10-0'], 'and its bridge');
    assert.deepEqual(await shutdown(10, [first]), { ok: true, info: '' });
    assert.doesNotMatch(ebtables(), /one-10/);
    assert.equal(hasLink('onebr76'), false);
  });

  test('bridge: made when missing and removed after its last VM; a bridge the driver did not make stays', async () => {
    const own: Nic = { vnMad: 'bridge', bridge: 'onebr74', mac: '02:00:0a:63:00:46', ip: '10.99.0.70' };
    const hosts: Nic = { vnMad: 'bridge', bridge: 'br0', mac: '02:00:0a:63:00:47', ip: '10.99.0.71' };
    assert.deepEqual(await deploy(7, [own, hosts]), { ok: true, info: 'ns-7' });
    assert.match(linkDetails('onebr74'), /state UP|,UP/);
    assert.deepEqual(ports('onebr74'), ['one-7-0']);
    assert.deepEqual(ports('br0'), ['eth0', 'one-7-1']);
    assert.deepEqual(await shutdown(7, [own, hosts]), { ok: true, info: '' });
    assert.equal(hasLink('onebr74'), false);
    assert.deepEqual(ports('br0'), ['eth0'], "the host's own bridge is untouched");
  });

  test('bridge: the network\'s PHYDEV becomes a port of the bridge it makes, and is let go (not deleted) with it', async () => {
    host.out('ip', 'link', 'add', 'phy73a', 'type', 'veth', 'peer', 'name', 'phy73b');
    try {
      const nic: Nic = { vnMad: 'bridge', bridge: 'onebr77', phydev: 'phy73a', mac: '02:00:0a:63:00:6e', ip: '10.99.0.110' };
      assert.deepEqual(await deploy(11, [nic]), { ok: true, info: 'ns-11' });
      assert.deepEqual(ports('onebr77'), ['one-11-0', 'phy73a']);
      assert.match(linkDetails('phy73a'), /master onebr77/);
      assert.deepEqual(await shutdown(11, [nic]), { ok: true, info: '' });
      assert.equal(hasLink('onebr77'), false);
      assert.doesNotMatch(linkDetails('phy73a'), /master/, 'the physical device is still there, on no bridge');
    } finally {
      host.run('ip', 'link', 'del', 'phy73a');
    }
  });

  test('bad input: a bridge name that is not an interface name fails DEPLOY with a clear error, nothing made', async () => {
    const r = await deploy(8, [{ vnMad: 'bridge', bridge: 'onebr75' }, { vnMad: 'bridge', bridge: 'br0;reboot' }]);
    assert.equal(r.ok, false);
    assert.equal(r.info, "bridge: 'br0;reboot' is not a valid interface name");
    assert.equal(hasLink('onebr75'), false, 'the bridge made for the first NIC was cleaned');
    assert.equal(host.run('ls', '/run/one-vnm/onebr75').code, 2, 'no marker left');
  });

  test('802.1Q: the VLAN link on PHYDEV and its bridge, made in pre and gone in clean (or a clear error without 8021q)', async () => {
    const nic: Nic = { vnMad: '802.1Q', bridge: 'onebr.50', phydev: 'eth0', vlanId: '50', mac: '02:00:0a:63:00:50', ip: '10.99.0.80' };
    const probe = host.run('ip', 'link', 'add', 'link', 'eth0', 'name', 'eth0.4000', 'type', 'vlan', 'id', '4000');
    if (probe.code !== 0) {
      // This kernel has no 802.1Q support (CONFIG_VLAN_8021Q): the step fails and says why.
      const r = await deploy(9, [nic]);
      assert.equal(r.ok, false);
      assert.match(r.info, /^802\.1Q eth0\.50: cannot create: .*Unknown device type/);
      assert.equal(hasLink('onebr.50'), false);
      assert.equal(host.run('ls', '/run/one-vnm/onebr.50').code, 2);
      return;
    }
    host.out('ip', 'link', 'del', 'eth0.4000');
    assert.deepEqual(await deploy(9, [nic]), { ok: true, info: 'ns-9' });
    assert.match(linkDetails('eth0.50'), /vlan protocol 802\.1Q id 50/);
    assert.deepEqual(ports('onebr.50'), ['eth0.50', 'one-9-0']);
    assert.deepEqual(await shutdown(9, [nic]), { ok: true, info: '' });
    assert.equal(hasLink('eth0.50'), false);
    assert.equal(hasLink('onebr.50'), false);
  });
});

/**
 * Issue 6's acceptance, as an admin would play it with the command line on two real hosts
 * (namespace hosts with sshd and libvirtd, test/e2e/real-cloud.ts): both added with `onehost
 * create --im kvm --vm qemu`, the tiny guest's qcow2 image, a bridged network with ebtables, a
 * template with CONTEXT. The scheduler places the VM; the guest boots, its console shows the
 * context values, it answers ping from the front-end at its leased IP; it is live-migrated
 * (still answering; a first try to a target that cannot open the disk fails cleanly), powered
 * off and resumed, terminated: no domain, disk, tap or rule is left on either host. A guest whose QEMU is killed is POWEROFF within two monitoring intervals.
 * Needs root; `npm run test:real`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { cliOk } from './cli-helpers.js';
import { MONITORING_INTERVAL, RealCloud, RUNNING, S } from './real-cloud.js';
import { realSkip } from './real-host-fixture.js';

const skip = RealCloud.unavailable();
const LONG = { timeout: 1_200_000 };

const lastHost = (v: XmlNode): number => {
  const h = child(v, 'HISTORY_RECORDS')!.children.filter((c) => c.name === 'HISTORY');
  return childInt(h[h.length - 1]!, 'HID');
};
const nicIp = (v: XmlNode) => childText(child(child(v, 'TEMPLATE')!, 'NIC')!, 'IP');

describe('a real cloud: scheduler, qemu VMs, qcow2 disks, ebtables network, context', { skip: realSkip(skip) }, () => {
  let cloud: RealCloud;
  const timings: string[] = [];

  before(async () => {
    cloud = await RealCloud.make(['acc1', 'acc2']);
  }, LONG);

  after(async () => {
    await cloud?.stop();
    console.log(`# real-acceptance: ${timings.join(', ')}`);
  });

  test('placed by the scheduler, booted with its context, pinged, live-migrated, powered off and on, terminated without leftovers', LONG, async () => {
    const t0 = Date.now();
    const [id] = await cloud.instantiate();
    const running = await cloud.waitState(id!, S.ACTIVE);
    timings.push(`instantiate to RUNNING ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const first = lastHost(running);
    assert.ok(cloud.hostIds.includes(first), 'the scheduler chose one of the two hosts');
    assert.equal(childText(running, 'DEPLOY_ID'), `one-${id}`);
    const ip = nicIp(running);
    assert.match(ip, /^10\.74\.0\.1\d\d$/);

    const context = await cloud.consoleShows(id!, /TINYGUEST-CONTEXT found=(\S+) dev=\S+ hostname=(\S+) eth0_ip=(\S+)/);
    assert.deepEqual([context[1], context[2], context[3]], ['yes', childText(running, 'NAME'), ip], 'the guest read its name and leased IP from the CONTEXT CD');
    const booted = await cloud.consoleShows(id!, /TINYGUEST-BOOTED host=(\S+) bootid=(\S+)/);
    timings.push(`instantiate to boot marker ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await cloud.until(`ping ${ip}`, 60_000, async () => RealCloud.pings(ip));
    assert.equal(await RealCloud.bootId(ip), booted[2], 'the guest answers at its leased IP');

    const [from, to] = first === cloud.hostIds[0] ? [cloud.hosts[0]!, cloud.hosts[1]!] : [cloud.hosts[1]!, cloud.hosts[0]!];
    const toId = first === cloud.hostIds[0] ? cloud.hostIds[1]! : cloud.hostIds[0]!;
    assert.ok(cloud.leftovers(from, id!).some((l) => l.startsWith('ebtables')), 'the NIC has its anti-spoofing rules where it runs');

    // A target that cannot open the disk (the VM's directory moved away: QEMU on the source keeps
    // its open files): the migration fails with libvirt's reason, the VM runs on where it was,
    // and the target keeps nothing of it.
    const vmDir = join(cloud.oned.location, 'var', 'datastores', String(cloud.systemDs), String(id));
    renameSync(vmDir, `${vmDir}.away`);
    try {
      await cliOk(cloud.oned, 'onevm', ['migrate', String(id), String(toId), '--live']);
      const back = await cloud.until('the failed migration', 180_000, async () => {
        const v = await cloud.vm(id!);
        return childInt(v, 'LCM_STATE') === RUNNING && /MIGRATE/.test(childText(child(v, 'USER_TEMPLATE')!, 'ERROR'));
      }).then(() => cloud.vm(id!));
      assert.equal(lastHost(back), first, 'still on its host');
      assert.match(childText(child(back, 'USER_TEMPLATE')!, 'ERROR'), /migrate/i);
      assert.deepEqual(cloud.leftovers(to, id!), [], 'nothing of the VM on the target');
    } finally {
      renameSync(`${vmDir}.away`, vmDir);
    }
    assert.equal(await RealCloud.bootId(ip), booted[2], 'the guest went on running');

    const tm = Date.now();
    await cliOk(cloud.oned, 'onevm', ['migrate', String(id), String(toId), '--live']);
    await cloud.until('live migration', 180_000, async () => {
      const v = await cloud.vm(id!);
      return childInt(v, 'LCM_STATE') === RUNNING && lastHost(v) === toId;
    });
    timings.push(`live migration ${((Date.now() - tm) / 1000).toFixed(1)} s`);
    assert.deepEqual(cloud.leftovers(from, id!), [], 'nothing of the VM on the host it left');
    assert.ok(cloud.leftovers(to, id!).some((l) => l.startsWith('domain')));
    await cloud.until(`ping ${ip} after the migration`, 60_000, async () => RealCloud.pings(ip));
    assert.equal(await RealCloud.bootId(ip), booted[2], 'the same boot goes on after the live migration');

    await cliOk(cloud.oned, 'onevm', ['poweroff', String(id)]);
    await cloud.waitState(id!, S.POWEROFF);
    assert.deepEqual(cloud.leftovers(to, id!), [], 'powered off: no domain, tap or rule');
    await cliOk(cloud.oned, 'onevm', ['resume', String(id)]);
    await cloud.waitState(id!, S.ACTIVE);
    // Resumed from POWEROFF: a new boot (its console starts afresh on the new host).
    await cloud.consoleShows(id!, /TINYGUEST-BOOTED host=\S+ bootid=(\S+)/, undefined, (m) => m[1] !== booted[2]);
    await cloud.until(`ping ${ip} after resume`, 60_000, async () => RealCloud.pings(ip));

    await cliOk(cloud.oned, 'onevm', ['terminate', String(id)]);
    await cloud.waitState(id!, S.DONE);
    for (const h of cloud.hosts) assert.deepEqual(cloud.leftovers(h, id!), [], `nothing left on ${h.name}`);
    assert.equal(existsSync(join(cloud.oned.location, 'var', 'datastores', String(cloud.systemDs), String(id))), false, 'no disk left');
    assert.equal(RealCloud.pings(ip), false);
  });

  test('a guest whose QEMU is killed is POWEROFF within two monitoring intervals', LONG, async () => {
    const [id] = await cloud.instantiate();
    await cloud.waitState(id!, S.ACTIVE);
    // Monitored once as running, so that its absence counts.
    await cloud.until('a monitoring sample', 60_000, async () => childInt(child(await cloud.vm(id!), 'MONITORING') ?? { name: '', children: [], text: '' }, 'MEMORY') > 0);
    const killed = spawnSync('pkill', ['-9', '-f', `guest=one-${id},`]);
    assert.equal(killed.status, 0, 'the QEMU process was found and killed');
    const t0 = Date.now();
    await cloud.waitState(id!, S.POWEROFF, 0, 2 * MONITORING_INTERVAL * 1000 + 15_000);
    const took = (Date.now() - t0) / 1000;
    timings.push(`killed QEMU seen in ${took.toFixed(1)} s`);
    assert.ok(took <= 2 * MONITORING_INTERVAL + 15, `noticed in ${took} s (interval ${MONITORING_INTERVAL} s, plus a probe run)`);
    await cliOk(cloud.oned, 'onevm', ['terminate', '--hard', String(id)]);
    await cloud.waitState(id!, S.DONE);
    for (const h of cloud.hosts) assert.deepEqual(cloud.leftovers(h, id!), [], `nothing left on ${h.name}`);
  });
});

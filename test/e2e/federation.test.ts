/**
 * The acceptance of federation: a master zone and a slave zone, each an oned with its own
 * PostgreSQL (two private clusters with wal_level = logical, made for this test; the shared
 * server is left alone). Users, groups, ACL rules, zones and marketplaces are written through
 * the master and replicated by PostgreSQL logical replication; the slave forwards writes of
 * them, keeps its VMs and reads without the master, refuses federated writes meanwhile, and
 * catches up when the master returns. Also: what a slave refuses to start with.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { aclRuleHex as ruleHex, Code, TEST_DRIVERS, all, must, okId, okXml, refused, sleep, waitFor } from './api-helpers.js';
import { PgCluster, privatePgUnavailable } from './pg-cluster.js';

const MASTER_DB = 'nebula_master';
const SLAVE_DB = 'nebula_slave';
const RUNNING = [3, 3] as const;

/** Polls `probe` until it returns a value (not undefined) or `ms` pass; fails with `what`. */
async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

/** Whether `session` logs in on `oned` (one.user.info of itself answers). */
async function logsIn(oned: Oned, session: string): Promise<boolean> {
  const r = await oned.call('one.user.info', [-1], session);
  return r[0] === true;
}

/** What must be the same in every zone: users, groups, ACL rules and zones, as listed. */
async function federatedState(oned: Oned): Promise<string[]> {
  const users = await okXml(oned, 'one.userpool.info', []);
  const groups = await okXml(oned, 'one.grouppool.info', []);
  const acl = await okXml(oned, 'one.acl.info', []);
  const zones = await okXml(oned, 'one.zonepool.info', []);
  const vdcs = await okXml(oned, 'one.vdcpool.info', []);
  return [
    ...all(users, 'USER').map((u) => `user ${childInt(u, 'ID')} ${childText(u, 'NAME')} ${childText(u, 'PASSWORD')} ${childInt(u, 'GID')}`),
    ...all(groups, 'GROUP').map((g) => `group ${childInt(g, 'ID')} ${childText(g, 'NAME')}`),
    ...all(acl, 'ACL').map((a) => `acl ${childInt(a, 'ID')} ${childText(a, 'STRING')}`),
    ...all(zones, 'ZONE').map((z) => `zone ${childInt(z, 'ID')} ${childText(z, 'NAME')}`),
    ...all(vdcs, 'VDC').map((v) => `vdc ${childInt(v, 'ID')} ${childText(v, 'NAME')} groups ${all(must(v, 'GROUPS'), 'ID').map((g) => g.text).join(',')}`),
  ].sort();
}

const vmsUsed = (user: XmlNode): string => {
  const vm = must(user, 'VM_QUOTA').children.find((c) => c.name === 'VM');
  return vm ? childText(vm, 'VMS_USED') : '0';
};

const unavailable = privatePgUnavailable();

describe('federation of a master and a slave zone on PostgreSQL', { skip: unavailable }, () => {
  let masterPg: PgCluster;
  let slavePg: PgCluster;
  let master: Oned;
  let slave: Oned;
  let zoneId: number;
  const others: Oned[] = [];

  const slaveConf = (zid: number) =>
    `${TEST_DRIVERS}FEDERATION = [ MODE = "SLAVE", ZONE_ID = ${zid}, MASTER_ONED = "${master.endpoint}" ]\n` +
    `FEDERATION_MASTER_DB = [ SERVER = "127.0.0.1", PORT = ${masterPg.port}, USER = "postgres", PASSWD = "", DB_NAME = "${MASTER_DB}" ]\n`;
  // As OpenNebula asks: the slave gets the master's .one (the key of encrypted attributes, the server accounts' credentials).
  const copyMasterKeys = (location: string) => cpSync(join(master.location, '.one'), join(location, '.one'), { recursive: true });

  before(async () => {
    [masterPg, slavePg] = await Promise.all([PgCluster.create(), PgCluster.create()]);
    master = await Oned.start({ backend: 'postgresql', db: masterPg.dbSection(MASTER_DB), conf: `${TEST_DRIVERS}FEDERATION = [ MODE = "MASTER", ZONE_ID = 0 ]\n` });
    zoneId = await okId(master, 'one.zone.allocate', ['NAME = "slave-zone"\nENDPOINT = "http://127.0.0.1:1/RPC2"']);
    slave = await Oned.start({ backend: 'postgresql', db: slavePg.dbSection(SLAVE_DB), conf: slaveConf(zoneId), prepare: copyMasterKeys });
    await okId(master, 'one.zone.update', [zoneId, `ENDPOINT = "${slave.endpoint}"`, 1]);
  });

  after(async () => {
    for (const o of [...others, slave, master]) await o?.stop().catch(() => {});
    masterPg?.destroy();
    slavePg?.destroy();
  });

  test('the slave starts with the master\'s users, groups, ACL rules and zones', async () => {
    assert.deepEqual(await federatedState(slave), await federatedState(master));
    const config = await okXml(slave, 'one.system.config', []);
    const fed = must(config, 'FEDERATION');
    assert.equal(childText(fed, 'MODE'), 'SLAVE');
    assert.equal(childText(fed, 'ZONE_ID'), String(zoneId));
    assert.equal(childText(must(config, 'FEDERATION_MASTER_DB'), 'PASSWD'), '', 'the master database password is not shown');
  });

  test('a user created on the master logs in on the slave within a second', async () => {
    await okId(master, 'one.user.allocate', ['fed-ann', 'ann-pw', '', []]);
    await within(1000, 'fed-ann logging in on the slave', async () => ((await logsIn(slave, 'fed-ann:ann-pw')) ? true : undefined));
  });

  test('writes through the slave go to the master: a password change, a group, an ACL rule, a zone rename', async () => {
    const ann = childInt(await okXml(master, 'one.user.info', [-1], 'fed-ann:ann-pw'), 'ID');
    await okId(slave, 'one.user.passwd', [ann, 'ann-new-pw'], 'fed-ann:ann-pw');
    assert.equal(await logsIn(master, 'fed-ann:ann-new-pw'), true, 'the master has the new password at once');
    assert.equal(await logsIn(master, 'fed-ann:ann-pw'), false);
    // The slave answers once the master's write is replicated back: its next read sees it.
    assert.equal(await logsIn(slave, 'fed-ann:ann-new-pw'), true, 'the slave has the new password when the call answers');
    assert.equal(await logsIn(slave, 'fed-ann:ann-pw'), false, 'the old password no longer works on the slave');

    const gid = await okId(slave, 'one.group.allocate', ['fed-group']);
    assert.equal(childText(await okXml(master, 'one.group.info', [gid]), 'NAME'), 'fed-group');
    const rule = await okId(slave, 'one.acl.addrule', ruleHex(`@${gid} HOST/* USE #${zoneId}`));
    assert.ok(all(await okXml(master, 'one.acl.info', []), 'ACL').some((a) => childInt(a, 'ID') === rule), 'the rule is the master\'s');
    // A VDC made through the slave: the master's, with the group and its generated rules.
    const vdc = await okId(slave, 'one.vdc.allocate', ['NAME = "fed-vdc"']);
    await okId(slave, 'one.vdc.addgroup', [vdc, gid]);
    assert.equal(childText(await okXml(master, 'one.vdc.info', [vdc]), 'NAME'), 'fed-vdc');
    assert.deepEqual(all(must(await okXml(slave, 'one.vdc.info', [vdc]), 'GROUPS'), 'ID').map((g) => g.text), [String(gid)]);
    await okId(slave, 'one.zone.rename', [zoneId, 'slave-zone-b']);
    assert.equal(childText(await okXml(master, 'one.zone.info', [zoneId]), 'NAME'), 'slave-zone-b');
    assert.equal(childText(await okXml(slave, 'one.group.info', [gid]), 'NAME'), 'fed-group', 'read your writes on the slave');
    assert.equal(childText(await okXml(slave, 'one.zone.info', [zoneId]), 'NAME'), 'slave-zone-b');
    assert.ok(all(await okXml(slave, 'one.acl.info', []), 'ACL').some((a) => childInt(a, 'ID') === rule));
    assert.deepEqual(await federatedState(slave), await federatedState(master));
  });

  test('quota usage is zone-local: VMs of the slave count in the slave only', async () => {
    const host = await okId(slave, 'one.host.allocate', ['slave-host', 'dummy', 'dummy', -1]);
    const vm = await okId(slave, 'one.vm.allocate', ['NAME = "fed-vm"\nCPU = 0.1\nMEMORY = 32'], 'fed-ann:ann-new-pw');
    await okId(slave, 'one.vm.deploy', [vm, host]);
    await waitFor(slave, vm, ...RUNNING);
    const ann = childInt(await okXml(slave, 'one.user.info', [-1], 'fed-ann:ann-new-pw'), 'ID');
    assert.equal(vmsUsed(await okXml(slave, 'one.user.info', [ann])), '1');
    assert.equal(vmsUsed(await okXml(master, 'one.user.info', [ann])), '0', 'the master zone runs none of them');
  });

  test('without the master the slave runs its VMs and answers reads, refuses federated writes; then catches up', async () => {
    const before = await federatedState(slave);
    assert.equal(await master.signal('SIGTERM'), 0);
    masterPg.stop();

    // Reads and the zone's own work go on.
    const vms = all(await okXml(slave, 'one.vmpool.info', [-2, -1, -1, -1]), 'VM');
    assert.ok(vms.length > 0 && vms.every((v) => childInt(v, 'STATE') === RUNNING[0] && childInt(v, 'LCM_STATE') === RUNNING[1]), 'the VMs keep running');
    assert.deepEqual(await federatedState(slave), before);
    assert.equal(await logsIn(slave, 'fed-ann:ann-new-pw'), true, 'users log in');
    const host = childInt(all(await okXml(slave, 'one.hostpool.info', []), 'HOST')[0]!, 'ID');
    const vm = await okId(slave, 'one.vm.allocate', ['NAME = "fed-vm-2"\nCPU = 0.1\nMEMORY = 32'], 'fed-ann:ann-new-pw');
    await okId(slave, 'one.vm.deploy', [vm, host]);
    await waitFor(slave, vm, ...RUNNING);

    // A slave restarted meanwhile comes back on its own database, its VMs still running.
    assert.equal(await slave.signal('SIGTERM'), 0);
    await slave.launch();
    await waitFor(slave, vm, ...RUNNING);
    assert.deepEqual(await federatedState(slave), before);

    // Federated writes are refused, clearly.
    await refused(slave, 'one.user.allocate', ['fed-bob', 'bob-pw', '', []], Code.INTERNAL, /Could not connect to the federation master oned at http:\/\/.*written through the master/);
    await refused(slave, 'one.group.allocate', ['fed-group-2'], Code.INTERNAL, /Could not connect to the federation master oned/);

    // The master returns: what it writes reaches the slave again, and both agree.
    masterPg.start();
    await master.launch();
    await okId(master, 'one.user.allocate', ['fed-carl', 'carl-pw', '', []]);
    await within(15_000, 'fed-carl on the slave after the master returned', async () => ((await logsIn(slave, 'fed-carl:carl-pw')) ? true : undefined));
    await okId(slave, 'one.user.allocate', ['fed-bob', 'bob-pw', '', []]);
    assert.equal(await logsIn(slave, 'fed-bob:bob-pw'), true, 'a user made through the slave logs in there when the call answers');
    assert.deepEqual(await federatedState(slave), await federatedState(master));
  });

  test('a slave is refused for a zone the master does not have, or one another slave serves', async () => {
    const missing = Oned.start({ backend: 'postgresql', db: slavePg.dbSection('nebula_slave_missing'), conf: slaveConf(4242), prepare: copyMasterKeys });
    await assert.rejects(missing, /FEDERATION ZONE_ID = 4242, but the master has no zone 4242: create it on the master first/);
    const twin = Oned.start({ backend: 'postgresql', db: slavePg.dbSection('nebula_slave_twin'), conf: slaveConf(zoneId), prepare: copyMasterKeys });
    await assert.rejects(twin, new RegExp(`Zone ${zoneId} is already served by another slave`));
    // Nothing of those attempts stays on the master: the zone can still get its slave after a restart of this one.
    const slots = await masterPg.query(MASTER_DB, 'SELECT slot_name FROM pg_replication_slots ORDER BY slot_name');
    assert.deepEqual(slots.rows.map((r) => r.slot_name), [`nebula_zone_${zoneId}`]);
  });
});

describe('federation needs PostgreSQL', () => {
  test('a master or slave on SQLite does not start, and says why', async () => {
    await assert.rejects(
      Oned.start({ backend: 'sqlite', conf: `${TEST_DRIVERS}FEDERATION = [ MODE = "MASTER", ZONE_ID = 0 ]\n` }),
      /FEDERATION MODE = MASTER needs DB BACKEND = "postgresql" \(this oned has "sqlite"\)/,
    );
    await assert.rejects(Oned.start({ backend: 'sqlite', conf: 'FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100 ]\n' }), /FEDERATION MODE = SLAVE needs MASTER_ONED/);
    await assert.rejects(Oned.start({ backend: 'sqlite', conf: 'FEDERATION = [ MODE = "REPLICA" ]\n' }), /FEDERATION MODE "REPLICA" is not valid/);
  });
});

/**
 * VDCs over raw XML-RPC: the default VDC of a fresh cloud, allocate/info/update/rename/delete,
 * groups and resources with the ACL rules they generate and take back, and the acceptance: a VDC
 * confines a group to one cluster of the zone, its users (and what its group admin makes)
 * instantiate there through the scheduler and nowhere else. One backend (SQLite): the pool is
 * an ordinary pool table, and the scheduler is an API client.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { AclRule } from '../../src/common/acl/acl-rule.js';
import { Code, aclRuleHex, addGroup, addUser, all, idList, idsIn, must, okId, okXml, placedOn, refused, sleep, templateOf, userAttr, vmUntil } from './api-helpers.js';

const CONF = `HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "big", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 800 -m 8192" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
SCHEDULER = [ EXECUTABLE = "mm_sched" ]
`;
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\n';

let oned: Oned;

before(async () => {
  oned = await Oned.start({ backend: 'sqlite', conf: CONF, schedConf: SCHED });
  await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
});
after(() => oned?.stop());

/** The STRING of every ACL rule. */
async function aclStrings(): Promise<string[]> {
  return all(await okXml(oned, 'one.acl.info', []), 'ACL').map((r) => childText(r, 'STRING'));
}

/** `[zone, id]` of each resource of a kind in a VDC's XML. */
function resources(vdc: XmlNode, kind: string): number[][] {
  return all(must(vdc, `${kind}S`), kind).map((r) => [childInt(r, 'ZONE_ID'), childInt(r, `${kind}_ID`)]);
}

async function monitoredHost(name: string, cluster: number): Promise<number> {
  const id = await okId(oned, 'one.host.allocate', [name, 'big', 'dummy', cluster]);
  const end = Date.now() + 20_000;
  while (childInt(await okXml(oned, 'one.host.info', [id]), 'STATE') !== 2) {
    if (Date.now() > end) throw new Error(`host ${name} not monitored in 20 s`);
    await sleep(100);
  }
  return id;
}

const until = (id: number, what: string, check: (v: XmlNode) => boolean, seconds = 30) => vmUntil(oned, id, what, check, seconds);

describe('VDCs', () => {
  test('a fresh cloud has the default VDC 0: group users and every cluster of zone 0', async () => {
    const pool = await okXml(oned, 'one.vdcpool.info', []);
    assert.equal(pool.name, 'VDC_POOL');
    assert.deepEqual(idsIn(pool, 'VDC'), [0]);
    const vdc = await okXml(oned, 'one.vdc.info', [0]);
    assert.deepEqual(vdc.children.map((c) => c.name), ['ID', 'NAME', 'GROUPS', 'CLUSTERS', 'HOSTS', 'DATASTORES', 'VNETS', 'TEMPLATE']);
    assert.equal(childText(vdc, 'NAME'), 'default');
    assert.deepEqual(idList(vdc, 'GROUPS'), [1]);
    assert.deepEqual(resources(vdc, 'CLUSTER'), [[0, -10]]);
    assert.deepEqual([resources(vdc, 'HOST'), resources(vdc, 'DATASTORE'), resources(vdc, 'VNET')], [[], [], []]);
    assert.ok(templateOf(vdc).DESCRIPTION);
    await refused(oned, 'one.vdc.delete', [0], Code.ACTION, /System VDCs \(ID < 100\) cannot be deleted/);
    // A new group joins it, and gets its rules.
    const gid = await okId(oned, 'one.group.allocate', ['vdc-fresh']);
    assert.deepEqual(idList(await okXml(oned, 'one.vdc.info', [0]), 'GROUPS'), [1, gid]);
    const rules = await aclStrings();
    for (const r of ['HOST/* MANAGE #0', 'NET/* USE #0', 'DATASTORE/* USE #0']) assert.ok(rules.includes(`@${gid} ${r}`), r);
    // A deleted group leaves it.
    await okId(oned, 'one.group.delete', [gid]);
    assert.deepEqual(idList(await okXml(oned, 'one.vdc.info', [0]), 'GROUPS'), [1]);
  });

  test('allocate, update, rename and delete; names are unique; only admins create VDCs', async () => {
    const id = await okId(oned, 'one.vdc.allocate', ['NAME = "blue"\nDESCRIPTION = "web team"']);
    assert.ok(id >= 100, `user VDCs start at 100, got ${id}`);
    const vdc = await okXml(oned, 'one.vdc.info', [id]);
    assert.equal(childText(vdc, 'NAME'), 'blue');
    assert.deepEqual(templateOf(vdc), { DESCRIPTION: 'web team' });
    await refused(oned, 'one.vdc.allocate', ['NAME = "blue"'], Code.ALLOCATE, /NAME is already taken by VDC/);
    await refused(oned, 'one.vdc.allocate', ['DESCRIPTION = "no name"'], Code.ALLOCATE, /Invalid NAME/);
    await okId(oned, 'one.vdc.update', [id, 'COLOR = "blue"', 1]);
    assert.deepEqual(templateOf(await okXml(oned, 'one.vdc.info', [id])), { DESCRIPTION: 'web team', COLOR: 'blue' });
    await okId(oned, 'one.vdc.rename', [id, 'azure']);
    await refused(oned, 'one.vdc.rename', [id, 'default'], Code.ACTION, /NAME is already taken/);
    assert.equal(childText(await okXml(oned, 'one.vdc.info', [id]), 'NAME'), 'azure');
    const user = await addUser(oned, 'vdc-plain');
    await refused(oned, 'one.vdc.allocate', ['NAME = "mine"'], Code.AUTHORIZATION, /Not authorized to perform CREATE VDC/, user.session);
    await refused(oned, 'one.vdc.addgroup', [id, 1], Code.AUTHORIZATION, /Not authorized/, user.session);
    // A rule naming the VDC lets a user read it; it goes with the VDC.
    await okId(oned, 'one.acl.addrule', [`#${user.id} VDC/#${id} USE`].map((t) => AclRule.parse(t)).flatMap((r) => [r.user, r.resource, r.rights].map((c) => c.toString(16))));
    assert.equal(childText(await okXml(oned, 'one.vdc.info', [id], user.session), 'NAME'), 'azure');
    assert.ok((await aclStrings()).includes(`#${user.id} VDC/#${id} USE #0`));
    await okId(oned, 'one.vdc.delete', [id]);
    await refused(oned, 'one.vdc.info', [id], Code.NO_EXISTS, new RegExp(`Error getting VDC \\[${id}\\]`));
    assert.ok(!(await aclStrings()).includes(`#${user.id} VDC/#${id} USE #0`));
  });

  test('groups and resources generate the rules OpenNebula generates, and take them back', async () => {
    const cid = await okId(oned, 'one.cluster.allocate', ['vdc-rules-cl']);
    const hid = await okId(oned, 'one.host.allocate', ['vdc-rules-h', 'big', 'dummy', cid]);
    const vnid = await okId(oned, 'one.vn.allocate', ['NAME = "vdc-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"', -1]);
    const gid = await okId(oned, 'one.group.allocate', ['vdc-rules-g']);
    const vdc = await okId(oned, 'one.vdc.allocate', ['NAME = "rules"']);
    await okId(oned, 'one.vdc.addgroup', [vdc, gid]);
    await refused(oned, 'one.vdc.addgroup', [vdc, gid], Code.INTERNAL, new RegExp(`Group ${gid} is already assigned to the VDC ${vdc}`));
    await okId(oned, 'one.vdc.addcluster', [vdc, 0, cid]);
    await okId(oned, 'one.vdc.addhost', [vdc, 0, hid]);
    await okId(oned, 'one.vdc.adddatastore', [vdc, 0, 1]);
    await okId(oned, 'one.vdc.addvnet', [vdc, 0, vnid]);
    const mine = (rules: string[]) => rules.filter((r) => r.startsWith(`@${gid} `) && !r.includes('/*'));
    assert.deepEqual(mine(await aclStrings()).sort(), [
      `@${gid} DATASTORE/#1 USE #0`,
      `@${gid} DATASTORE/%${cid} USE #0`,
      `@${gid} HOST/#${hid} MANAGE #0`,
      `@${gid} HOST/%${cid} MANAGE #0`,
      `@${gid} NET/#${vnid} USE #0`,
      `@${gid} NET/%${cid} USE #0`,
    ]);
    const info = await okXml(oned, 'one.vdc.info', [vdc]);
    assert.deepEqual([resources(info, 'CLUSTER'), resources(info, 'HOST'), resources(info, 'DATASTORE'), resources(info, 'VNET')], [[[0, cid]], [[0, hid]], [[0, 1]], [[0, vnid]]]);
    await refused(oned, 'one.vdc.addcluster', [vdc, 0, cid], Code.INTERNAL, new RegExp(`CLUSTER ${cid} from Zone 0 is already assigned to the VDC ${vdc}`));

    // Bad input: resources of this zone must exist, zones must exist; nothing changes.
    await refused(oned, 'one.vdc.addhost', [vdc, 0, 4242], Code.NO_EXISTS, /Error getting host \[4242\]/);
    await refused(oned, 'one.vdc.addcluster', [vdc, 7, cid], Code.NO_EXISTS, /Error getting zone \[7\]/);
    await refused(oned, 'one.vdc.addgroup', [vdc, 4242], Code.NO_EXISTS, /Error getting group \[4242\]/);
    await refused(oned, 'one.vdc.delvnet', [vdc, 0, 4242], Code.INTERNAL, /NET 4242 from Zone 0 is not assigned/);

    // Another VDC giving the group the same cluster keeps the shared rules alive.
    const other = await okId(oned, 'one.vdc.allocate', ['NAME = "rules-too"']);
    await okId(oned, 'one.vdc.addgroup', [other, gid]);
    await okId(oned, 'one.vdc.addcluster', [other, 0, cid]);
    await okId(oned, 'one.vdc.delcluster', [vdc, 0, cid]);
    assert.ok((await aclStrings()).includes(`@${gid} HOST/%${cid} MANAGE #0`), 'still given by the other VDC');
    await okId(oned, 'one.vdc.delete', [other]);
    assert.ok(!(await aclStrings()).includes(`@${gid} HOST/%${cid} MANAGE #0`), 'gone with the last VDC that gave it');

    // ALL replaces the single hosts of the zone.
    await okId(oned, 'one.vdc.addhost', [vdc, 0, -10]);
    assert.deepEqual(resources(await okXml(oned, 'one.vdc.info', [vdc]), 'HOST'), [[0, -10]]);
    let rules = await aclStrings();
    assert.ok(rules.includes(`@${gid} HOST/* MANAGE #0`) && !rules.includes(`@${gid} HOST/#${hid} MANAGE #0`));

    // A deleted resource leaves the VDC; a group that leaves loses the rules.
    await okId(oned, 'one.vn.delete', [vnid]);
    assert.deepEqual(resources(await okXml(oned, 'one.vdc.info', [vdc]), 'VNET'), []);
    await okId(oned, 'one.vdc.delgroup', [vdc, gid]);
    rules = await aclStrings();
    assert.deepEqual(mine(rules), []);
    assert.ok(idList(await okXml(oned, 'one.vdc.info', [0]), 'GROUPS').includes(gid));
    assert.ok(rules.includes(`@${gid} HOST/* MANAGE #0`), 'still given by the default VDC, which the group is in');
    await okId(oned, 'one.vdc.delete', [vdc]);
  });

  test('acceptance: a VDC confines a group to one cluster; its users and its admin\'s users deploy there and nowhere else', async () => {
    const outside = await monitoredHost('vdc-out', -1);
    const cid = await okId(oned, 'one.cluster.allocate', ['vdc-accept']);
    const inside = await monitoredHost('vdc-in', cid);
    await okId(oned, 'one.cluster.adddatastore', [cid, 0]);
    const gid = await addGroup(oned, 'vdc-team');
    // Out of the default VDC (every cluster), into one that has only the cluster.
    await okId(oned, 'one.vdc.delgroup', [0, gid]);
    const vdc = await okId(oned, 'one.vdc.allocate', ['NAME = "confined"']);
    await okId(oned, 'one.vdc.addgroup', [vdc, gid]);
    await okId(oned, 'one.vdc.addcluster', [vdc, 0, cid]);
    const rules = (await aclStrings()).filter((r) => r.startsWith(`@${gid} `));
    assert.ok(!rules.some((r) => r.includes('HOST/*')), 'no rule gives every host');

    const member = await addUser(oned, 'vdc-member', [gid]);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await okId(oned, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128', false], member.session));
    for (const id of ids) assert.equal(await placedOn(oned, id), inside);

    // Pointed at the other host, a VM of the group stays pending and says why.
    const pinned = await okId(oned, 'one.vm.allocate', [`CPU = 1\nMEMORY = 128\nSCHED_REQUIREMENTS = "ID = ${outside}"`, false], member.session);
    const waiting = await until(pinned, 'a SCHED_MESSAGE', (v) => userAttr(v, 'SCHED_MESSAGE') !== '');
    assert.equal(childInt(waiting, 'STATE'), 1);
    assert.match(userAttr(waiting, 'SCHED_MESSAGE'), /not authorized for the VM owner \(ACL\)/);
    // Nor may the user deploy it there by hand: even with ADMIN on the VM and USE on the host,
    // a deploy needs MANAGE on the host, as the scheduler does (OpenNebula's rights for both).
    for (const rule of [`#${member.id} VM/#${pinned} ADMIN #0`, `#${member.id} HOST/#${outside} USE #0`]) await okId(oned, 'one.acl.addrule', aclRuleHex(rule));
    await refused(oned, 'one.vm.deploy', [pinned, outside, false, -1], Code.AUTHORIZATION, new RegExp(`MANAGE HOST \\[${outside}\\]`), member.session);
    assert.equal(childInt(await okXml(oned, 'one.vm.info', [pinned]), 'STATE'), 1, 'USE on the host does not let the scheduler place it either');

    // The group's admin makes a user, who works inside the VDC as well.
    await okId(oned, 'one.group.addadmin', [gid, member.id]);
    const worker = await okId(oned, 'one.user.allocate', ['vdc-worker', 'wpw', ''], member.session);
    assert.equal(childInt(await okXml(oned, 'one.user.info', [worker]), 'GID'), gid);
    const made = await okId(oned, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128', false], 'vdc-worker:wpw');
    assert.equal(await placedOn(oned, made), inside);

    // oneadmin's VMs are not confined.
    const admins = await okId(oned, 'one.vm.allocate', [`CPU = 1\nMEMORY = 128\nSCHED_REQUIREMENTS = "ID = ${outside}"`, false]);
    assert.equal(await placedOn(oned, admins), outside);

    // Given the other host too, the pending VM goes there.
    await okId(oned, 'one.vdc.addhost', [vdc, 0, outside]);
    assert.equal(await placedOn(oned, pinned), outside);
  });
});

/**
 * VM groups end to end over the API: allocate with ROLES (ROLE children, POLICY, host lists,
 * AFFINED / ANTI_AFFINED rules between roles), the checks that refuse a bad group and store
 * nothing, roleadd / roleupdate / roledelete, update, the pool, a VM joining a role with
 * VMGROUP at allocate (by id or name) and leaving it when DONE, one.vm.vmgroupadd / vmgroupdel,
 * delete refused while VMs are in the group, USE needed to join another user's group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Code, addUser, all, must, okId, okXml, onFeatureBackends, refused, waitFor } from './api-helpers.js';

const rolesOf = (g: XmlNode) => all(must(g, 'ROLES'), 'ROLE');
const roleVms = (g: XmlNode, name: string) => childText(rolesOf(g).find((r) => childText(r, 'NAME') === name)!, 'VMS');
const GROUP = `NAME = "app"
ROLE = [ NAME = "db", POLICY = "AFFINED", HOST_AFFINED = "0,1" ]
ROLE = [ NAME = "web", POLICY = "ANTI_AFFINED" ]
ROLE = [ NAME = "cache" ]
AFFINED = "db, cache"
DESCRIPTION = "three tiers"`;

onFeatureBackends('VM groups', (oned) => {
  let gid = -1;

  test('allocate: roles numbered in order, children in the schema order, rules in TEMPLATE', async () => {
    const o = oned();
    gid = await okId(o, 'one.vmgroup.allocate', [GROUP]);
    const g = await okXml(o, 'one.vmgroup.info', [gid]);
    assert.equal(g.name, 'VM_GROUP');
    assert.deepEqual(g.children.map((c) => c.name), ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'ROLES', 'TEMPLATE']);
    const roles = rolesOf(g);
    assert.deepEqual(roles.map((r) => [childInt(r, 'ID'), childText(r, 'NAME'), childText(r, 'POLICY')]), [[0, 'db', 'AFFINED'], [1, 'web', 'ANTI_AFFINED'], [2, 'cache', '']]);
    assert.deepEqual(roles[0]!.children.map((c) => c.name), ['HOST_AFFINED', 'ID', 'NAME', 'POLICY']);
    const t = must(g, 'TEMPLATE');
    assert.equal(childText(t, 'AFFINED'), 'db, cache');
    assert.equal(childText(t, 'DESCRIPTION'), 'three tiers');
    assert.equal(child(t, 'ROLE'), undefined);
    const pool = await okXml(o, 'one.vmgrouppool.info', [-2, -1, -1]);
    assert.equal(pool.name, 'VM_GROUP_POOL');
    assert.deepEqual(all(pool, 'VM_GROUP').map((x) => childInt(x, 'ID')), [gid]);
  });

  test('allocate refuses bad groups, and stores nothing', async () => {
    const o = oned();
    const bad: [string, RegExp][] = [
      ['ROLE = [ NAME = "a" ]', /No NAME in template for VM group/],
      ['NAME = "x"\nROLE = [ POLICY = "AFFINED" ]', /Missing NAME in VM group role/],
      ['NAME = "x"\nROLE = [ NAME = "a" ]\nROLE = [ NAME = "a" ]', /Role a already exists/],
      ['NAME = "x"\nROLE = [ NAME = "a", POLICY = "CLOSE" ]', /POLICY must be AFFINED, ANTI_AFFINED or NONE/],
      ['NAME = "x"\nROLE = [ NAME = "a", HOST_AFFINED = "1,2", HOST_ANTI_AFFINED = "2" ]', /host 2 is both in HOST_AFFINED and HOST_ANTI_AFFINED/],
      ['NAME = "x"\nROLE = [ NAME = "a", HOST_AFFINED = "one" ]', /HOST_AFFINED must list host IDs/],
      ['NAME = "x"\nROLE = [ NAME = "a" ]\nAFFINED = "a, b"', /Some roles used in AFFINED attribute \(a, b\) are not defined/],
      ['NAME = "x"\nROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nAFFINED = "a, b"\nANTI_AFFINED = "b, a"', /Roles defined in AFFINED and ANTI_AFFINED rules: a b/],
      ['NAME = "x"\nROLE = [ NAME = "a", POLICY = "ANTI_AFFINED" ]\nROLE = [ NAME = "b" ]\nAFFINED = "a, b"', /Role a is in an AFFINED rule but the role policy is ANTI_AFFINED/],
      ['NAME = "x"\nROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nANTI_AFFINED = "a, b"\nANTI_AFFINED = "b,a"', /Duplicated ANTI_AFFINED rule/],
      [GROUP, /NAME is already taken/],
    ];
    for (const [t, msg] of bad) await refused(o, 'one.vmgroup.allocate', [t], Code.ALLOCATE, msg);
    const pool = await okXml(o, 'one.vmgrouppool.info', [-2, -1, -1]);
    assert.deepEqual(all(pool, 'VM_GROUP').map((x) => childInt(x, 'ID')), [gid]);
  });

  test('roleadd / roleupdate / roledelete, each checked against the rules', async () => {
    const o = oned();
    const id = await okId(o, 'one.vmgroup.allocate', ['NAME = "roles"\nROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nANTI_AFFINED = "a, b"']);
    await okId(o, 'one.vmgroup.roleadd', [id, 'ROLE = [ NAME = "c", POLICY = "anti_affined", HOST_ANTI_AFFINED = "3" ]']);
    let g = await okXml(o, 'one.vmgroup.info', [id]);
    assert.deepEqual(rolesOf(g).map((r) => [childInt(r, 'ID'), childText(r, 'NAME'), childText(r, 'POLICY')]), [[0, 'a', ''], [1, 'b', ''], [2, 'c', 'ANTI_AFFINED']]);
    await refused(o, 'one.vmgroup.roleadd', [id, 'NAME = "d"'], Code.ACTION, /No ROLE attribute in template/);
    await refused(o, 'one.vmgroup.roleadd', [id, 'ROLE = [ NAME = "a" ]'], Code.ACTION, /Role a already exists/);
    await refused(o, 'one.vmgroup.roleupdate', [id, 2, 'ROLE = [ NAME = "a" ]'], Code.ACTION, /a role named a already exists/);
    await refused(o, 'one.vmgroup.roleupdate', [id, 9, 'ROLE = [ POLICY = "AFFINED" ]'], Code.ACTION, /doesn't have role 9/);
    await refused(o, 'one.vmgroup.roleupdate', [id, 2, 'ROLE = [ HOST_AFFINED = "3" ]'], Code.ACTION, /host 3 is both in HOST_AFFINED and HOST_ANTI_AFFINED/);
    await okId(o, 'one.vmgroup.roleupdate', [id, 2, 'ROLE = [ NAME = "c2", POLICY = "AFFINED", VMS = "7", ID = "5" ]']);
    g = await okXml(o, 'one.vmgroup.info', [id]);
    const c = rolesOf(g)[2]!;
    assert.deepEqual([childInt(c, 'ID'), childText(c, 'NAME'), childText(c, 'POLICY'), childText(c, 'VMS')], [2, 'c2', 'AFFINED', '']);
    // Deleting role b leaves the rule naming it: refused, the group unchanged.
    await refused(o, 'one.vmgroup.roledelete', [id, 1], Code.ACTION, /Some roles used in ANTI_AFFINED attribute \(a, b\) are not defined/);
    await refused(o, 'one.vmgroup.roledelete', [id, 7], Code.ACTION, /Unable to delete role 7/);
    assert.equal(rolesOf(await okXml(o, 'one.vmgroup.info', [id])).length, 3);
    await okId(o, 'one.vmgroup.update', [id, 'DESCRIPTION = "no rules"', 0]);
    await okId(o, 'one.vmgroup.roledelete', [id, 1]);
    g = await okXml(o, 'one.vmgroup.info', [id]);
    assert.deepEqual(rolesOf(g).map((r) => childText(r, 'NAME')), ['a', 'c2']);
    assert.equal(child(must(g, 'TEMPLATE'), 'ANTI_AFFINED'), undefined);
    await refused(o, 'one.vmgroup.update', [id, 'AFFINED = "a, zz"', 1], Code.ACTION, /Some roles used in AFFINED attribute \(a, zz\) are not defined/);
    await okId(o, 'one.vmgroup.rename', [id, 'roles2']);
    await okId(o, 'one.vmgroup.lock', [id, 1]);
    await refused(o, 'one.vmgroup.roleadd', [id, 'ROLE = [ NAME = "z" ]'], Code.AUTHORIZATION, /locked/i);
    await okId(o, 'one.vmgroup.unlock', [id]);
    await okId(o, 'one.vmgroup.delete', [id]);
  });

  test('a VM joins its role at allocate and leaves it when DONE; the group cannot change meanwhile', async () => {
    const o = oned();
    await refused(o, 'one.vm.allocate', [`NAME = "v"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_ID = ${gid}, ROLE = "nope" ]`], Code.ALLOCATE, /Role nope does not exist in VM Group/);
    await refused(o, 'one.vm.allocate', [`NAME = "v"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_ID = 999, ROLE = "db" ]`], Code.ALLOCATE, /Cannot find VM Group to associate the VM/);
    await refused(o, 'one.vm.allocate', [`NAME = "v"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_ID = ${gid} ]`], Code.ALLOCATE, /Missing role name in VM Group definition/);
    const a = await okId(o, 'one.vm.allocate', [`NAME = "db1"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_ID = ${gid}, ROLE = "db" ]`]);
    const b = await okId(o, 'one.vm.allocate', [`NAME = "db2"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_NAME = "app", VMGROUP_UNAME = "oneadmin", ROLE = "db" ]`]);
    let g = await okXml(o, 'one.vmgroup.info', [gid]);
    assert.equal(roleVms(g, 'db'), `${a},${b}`);
    const vm = await okXml(o, 'one.vm.info', [b]);
    const v = must(must(vm, 'TEMPLATE'), 'VMGROUP');
    assert.deepEqual([childText(v, 'VMGROUP_ID'), childText(v, 'ROLE')], [String(gid), 'db']);
    await refused(o, 'one.vmgroup.delete', [gid], Code.ACTION, /has 2 VMs/);
    await refused(o, 'one.vmgroup.roledelete', [gid, 0], Code.ACTION, /the role has assigned VMs/);
    await refused(o, 'one.vmgroup.roleupdate', [gid, 0, 'ROLE = [ POLICY = "NONE" ]'], Code.ACTION, /has VMs, unable to update/);
    await refused(o, 'one.vmgroup.update', [gid, 'DESCRIPTION = "x"', 1], Code.ACTION, /VM Group has 2 VMs/);
    await okId(o, 'one.vm.action', ['terminate-hard', a]);
    await waitFor(o, a, 6);
    g = await okXml(o, 'one.vmgroup.info', [gid]);
    assert.equal(roleVms(g, 'db'), String(b));
    // vmgroupdel / vmgroupadd move a VM between roles.
    await okId(o, 'one.vm.vmgroupdel', [b]);
    assert.equal(roleVms(await okXml(o, 'one.vmgroup.info', [gid]), 'db'), '');
    await refused(o, 'one.vm.vmgroupdel', [b], Code.ACTION, /is not in a VM group/);
    await refused(o, 'one.vm.vmgroupadd', [b, gid, 'nope'], Code.ACTION, /Role nope does not exist/);
    await okId(o, 'one.vm.vmgroupadd', [b, gid, 'web']);
    await refused(o, 'one.vm.vmgroupadd', [b, gid, 'db'], Code.ACTION, /already in VM group/);
    assert.equal(roleVms(await okXml(o, 'one.vmgroup.info', [gid]), 'web'), String(b));
    await okId(o, 'one.vm.action', ['terminate-hard', b]);
    await waitFor(o, b, 6);
    assert.equal(roleVms(await okXml(o, 'one.vmgroup.info', [gid]), 'web'), '');
  });

  test("joining another user's group needs USE on it", async () => {
    const o = oned();
    const u = await addUser(o, 'vmg-user');
    await refused(o, 'one.vm.allocate', [`NAME = "v"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_ID = ${gid}, ROLE = "db" ]`], Code.AUTHORIZATION, /Not authorized/, u.session);
    assert.equal(roleVms(await okXml(o, 'one.vmgroup.info', [gid]), 'db'), '');
    const own = await okId(o, 'one.vmgroup.allocate', ['NAME = "mine"\nROLE = [ NAME = "r" ]'], u.session);
    const vm = await okId(o, 'one.vm.allocate', [`NAME = "v"\nCPU = 1\nMEMORY = 64\nVMGROUP = [ VMGROUP_NAME = "mine", ROLE = "r" ]`], u.session);
    assert.equal(roleVms(await okXml(o, 'one.vmgroup.info', [own], u.session), 'r'), String(vm));
    await okId(o, 'one.vmgroup.delete', [gid]);
  });
});

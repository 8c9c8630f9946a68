/** ACL rules over raw XML-RPC: the listing, rules added in hex that grant and, once deleted, deny again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, addUserOutsideVdc, all, documentIds, idsIn, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';

// The encoding of spec §3.12 / §3.9, written out here so the test does not trust oned's own.
const INDIVIDUAL = 0x100000000n;
const GROUP_ID = 0x200000000n;
const ALL_ID = 0x400000000n;
const T = {
  VM: 0x1000000000n,
  IMAGE: 0x8000000000n,
  TEMPLATE: 0x20000000000n,
  GROUP: 0x40000000000n,
  DOCUMENT: 0x400000000000n,
  ZONE: 0x800000000000n,
  SECGROUP: 0x1000000000000n,
  MARKETPLACE: 0x8000000000000n,
  MARKETPLACEAPP: 0x10000000000000n,
  VMGROUP: 0x20000000000000n,
  BACKUPJOB: 0x100000000000000n,
} as const;
const USE = 0x1n;
const MANAGE = 0x2n;
const CREATE = 0x8n;
const hex = (v: bigint) => v.toString(16);
const user = (uid: number) => hex(INDIVIDUAL | BigInt(uid));

interface Rule {
  id: number;
  user: string;
  resource: string;
  rights: string;
  zone: string;
  string: string;
}

function ruleOf(acl: XmlNode): Rule {
  const t = (n: string) => childText(acl, n);
  return { id: childInt(acl, 'ID'), user: t('USER'), resource: t('RESOURCE'), rights: t('RIGHTS'), zone: t('ZONE'), string: t('STRING') };
}

async function rules(oned: Oned): Promise<Rule[]> {
  const pool = await okXml(oned, 'one.acl.info', []);
  assert.equal(pool.name, 'ACL_POOL');
  return all(pool, 'ACL').map(ruleOf);
}

onFeatureBackends('ACL rules', (get) => {
  test('acl.info lists the default rules in hex with their STRING form', async () => {
    const found = (await rules(get())).filter((r) => r.id <= 2);
    const createTypes = T.VM | T.IMAGE | T.TEMPLATE | T.DOCUMENT | T.SECGROUP | T.VMGROUP | T.BACKUPJOB;
    assert.deepEqual(found, [
      { id: 0, user: hex(GROUP_ID | 1n), resource: hex(createTypes | ALL_ID), rights: hex(CREATE), zone: hex(ALL_ID), string: '@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *' },
      { id: 1, user: hex(ALL_ID), resource: hex(T.ZONE | ALL_ID), rights: hex(USE), zone: hex(ALL_ID), string: '* ZONE/* USE *' },
      { id: 2, user: hex(ALL_ID), resource: hex(T.MARKETPLACE | T.MARKETPLACEAPP | ALL_ID), rights: hex(USE), zone: hex(ALL_ID), string: '* MARKETPLACE+MARKETPLACEAPP/* USE *' },
    ]);
  });

  test('a rule added in hex grants a user what it was denied, and deleting it denies again', async () => {
    const oned = get();
    const alice = await addUser(oned, 'acl-alice');
    const doc = await okId(oned, 'one.document.allocate', ['NAME = "acl-secret"', 1]);
    await refused(oned, 'one.document.info', [doc], Code.AUTHORIZATION, new RegExp(`Not authorized to perform USE DOCUMENT \\[${doc}\\]`), alice.session);
    assert.ok(!(await documentIds(oned, alice.session, -2)).includes(doc));

    const resource = T.DOCUMENT | INDIVIDUAL | BigInt(doc);
    const id = await okId(oned, 'one.acl.addrule', [user(alice.id), hex(resource), hex(USE)]);
    const added = (await rules(oned)).find((r) => r.id === id);
    assert.deepEqual(added, {
      id,
      user: user(alice.id),
      resource: hex(resource),
      rights: '1',
      zone: hex(INDIVIDUAL), // no zone argument: this zone, #0
      string: `#${alice.id} DOCUMENT/#${doc} USE #0`,
    });

    const seen = await okXml(oned, 'one.document.info', [doc], alice.session);
    assert.equal(childText(seen, 'NAME'), 'acl-secret');
    assert.ok((await documentIds(oned, alice.session, -2)).includes(doc), 'the pool shows what the ACL grants');
    await refused(oned, 'one.document.rename', [doc, 'acl-mine'], Code.AUTHORIZATION, /Not authorized to perform MANAGE DOCUMENT/, alice.session);

    assert.equal(await okId(oned, 'one.acl.delrule', [id]), id);
    assert.ok(!(await rules(oned)).some((r) => r.id === id));
    await refused(oned, 'one.document.info', [doc], Code.AUTHORIZATION, /Not authorized to perform USE DOCUMENT/, alice.session);
    assert.ok(!(await documentIds(oned, alice.session, -2)).includes(doc));
    assert.equal(childText(await okXml(oned, 'one.document.info', [doc]), 'NAME'), 'acl-secret');
  });

  test('a CREATE rule for all zones lets a user create groups until it is deleted', async () => {
    const oned = get();
    const bob = await addUser(oned, 'acl-bob');
    await refused(oned, 'one.group.allocate', ['acl-bobs-1'], Code.AUTHORIZATION, /Not authorized to perform CREATE GROUP/, bob.session);

    const id = await okId(oned, 'one.acl.addrule', [user(bob.id), hex(T.GROUP | ALL_ID), hex(CREATE), hex(ALL_ID)]);
    assert.equal((await rules(oned)).find((r) => r.id === id)?.string, `#${bob.id} GROUP/* CREATE *`);
    const gid = await okId(oned, 'one.group.allocate', ['acl-bobs-1'], bob.session);
    assert.equal(childText(await okXml(oned, 'one.group.info', [gid]), 'NAME'), 'acl-bobs-1');

    await okId(oned, 'one.acl.delrule', [id]);
    await refused(oned, 'one.group.allocate', ['acl-bobs-2'], Code.AUTHORIZATION, /Not authorized to perform CREATE GROUP/, bob.session);
  });

  test('a rule for a group (@gid) grants its members and nobody else', async () => {
    const oned = get();
    const gid = await okId(oned, 'one.group.allocate', ['acl-team']);
    const member = await addUser(oned, 'acl-member', [1, gid]);
    const outsider = await addUser(oned, 'acl-outsider');
    const doc = await okId(oned, 'one.document.allocate', ['NAME = "acl-team-doc"\nV = "0"', 1]);

    const id = await okId(oned, 'one.acl.addrule', [hex(GROUP_ID | BigInt(gid)), hex(T.DOCUMENT | ALL_ID), hex(USE | MANAGE)]);
    assert.equal((await rules(oned)).find((r) => r.id === id)?.string, `@${gid} DOCUMENT/* USE+MANAGE #0`);
    await okId(oned, 'one.document.update', [doc, 'V = "1"', 1], member.session);
    assert.equal(childText(await okXml(oned, 'one.document.info', [doc], member.session), 'NAME'), 'acl-team-doc');
    await refused(oned, 'one.document.update', [doc, 'V = "2"', 1], Code.AUTHORIZATION, /Not authorized to perform MANAGE DOCUMENT/, outsider.session);
    await refused(oned, 'one.document.delete', [doc], Code.AUTHORIZATION, /Not authorized/, outsider.session);
    assert.deepEqual(templateOf(await okXml(oned, 'one.document.info', [doc])), { V: '1' }, 'only the member\'s update went through');
    await okId(oned, 'one.acl.delrule', [id]);
  });

  test('malformed, duplicate and unknown rules are refused with INTERNAL, as OpenNebula does, and nothing changes', async () => {
    const oned = get();
    const before = await rules(oned);
    const codes: unknown[] = [];
    const fails = async (method: string, params: (string | number)[], message: RegExp) => {
      const r = await oned.call(method, params);
      assert.equal(r[0], false, `${method}(${JSON.stringify(params)}) should fail`);
      assert.ok(String(r[1]).startsWith(`[${method}] `));
      assert.match(String(r[1]), message);
      codes.push(r[2]);
    };
    await fails('one.acl.addrule', ['zz', hex(T.DOCUMENT | ALL_ID), '1'], /'zz' is not a hexadecimal number/);
    await fails('one.acl.addrule', [user(0), hex(T.DOCUMENT | ALL_ID), '0'], /malformed.*\[rights\]/);
    await fails('one.acl.addrule', [user(0), hex(T.DOCUMENT | 5n), '1'], /malformed.*\[resource\] is missing/);
    await fails('one.acl.addrule', [hex(INDIVIDUAL | GROUP_ID | 3n), hex(T.DOCUMENT | ALL_ID), '1'], /malformed.*\[user\]/);
    await fails('one.acl.addrule', [hex(GROUP_ID | 1n), hex(T.VM | T.IMAGE | T.TEMPLATE | T.DOCUMENT | T.SECGROUP | T.VMGROUP | T.BACKUPJOB | ALL_ID), hex(CREATE), hex(ALL_ID)], /already exists/);
    await fails('one.acl.delrule', [987654], /987654/);
    assert.deepEqual(await rules(oned), before, 'no rule added or removed');
    assert.deepEqual(codes, codes.map(() => Code.INTERNAL), 'OpenNebula answers ACL manager errors with INTERNAL (8192)');
  });

  test('a regular user may neither read nor change the ACL', async () => {
    const oned = get();
    const carol = await addUser(oned, 'acl-carol');
    const before = await rules(oned);
    const denied = /Not authorized to perform MANAGE ACL/;
    await refused(oned, 'one.acl.info', [], Code.AUTHORIZATION, denied, carol.session);
    await refused(oned, 'one.acl.addrule', [user(carol.id), hex(T.DOCUMENT | ALL_ID), hex(USE | MANAGE)], Code.AUTHORIZATION, denied, carol.session);
    await refused(oned, 'one.acl.delrule', [0], Code.AUTHORIZATION, denied, carol.session);
    assert.deepEqual(await rules(oned), before);
  });

  test('VM listings follow the rules as they change, whoever listed the VMs before', async () => {
    // Listings are kept per view (oned serves the same answer to callers who see the same VMs):
    // a rule added or deleted, or another caller's listing, must never show a caller what it
    // may not see, nor hide what it may.
    const oned = get();
    const lister = await addUserOutsideVdc(oned, 'acl-lister');
    const other = await addUserOutsideVdc(oned, 'acl-other');
    const vm = await okId(oned, 'one.vm.allocate', ['NAME = "acl-listed"\nCPU = 0.1\nMEMORY = 64', true]);
    const vmIds = async (session: string, filter = -2) => idsIn(await okXml(oned, 'one.vmpool.info', [filter, -1, -1, -1], session), 'VM');
    assert.ok((await vmIds(oned.oneadmin)).includes(vm));
    assert.ok(!(await vmIds(lister.session)).includes(vm), 'no rule: not shown, though oneadmin just listed it');

    const toGroup = await okId(oned, 'one.acl.addrule', [hex(GROUP_ID | BigInt(lister.gid)), hex(T.VM | ALL_ID), hex(USE | MANAGE)]);
    assert.ok((await vmIds(lister.session)).includes(vm), 'VM/* to its group: every VM, as oneadmin sees them');
    assert.deepEqual(await vmIds(lister.session), await vmIds(oned.oneadmin));
    assert.ok(!(await vmIds(lister.session, -1)).includes(vm), 'filter -1 (mine and my groups\') still leaves it out');
    assert.ok(!(await vmIds(other.session)).includes(vm), 'the other user, in another group, sees nothing more');

    await okId(oned, 'one.acl.delrule', [toGroup]);
    assert.ok(!(await vmIds(lister.session)).includes(vm), 'the rule deleted: hidden again');

    const one = await okId(oned, 'one.acl.addrule', [user(lister.id), hex(T.VM | INDIVIDUAL | BigInt(vm)), hex(USE)]);
    assert.deepEqual(await vmIds(lister.session), [vm], 'VM/#id: that VM only');
    assert.ok(!(await vmIds(other.session)).includes(vm));
    await okId(oned, 'one.acl.delrule', [one]);
    assert.ok(!(await vmIds(lister.session)).includes(vm));
    await okId(oned, 'one.vm.action', ['terminate', vm]);
  });

  test('deleting a document drops the rules that name it', async () => {
    const oned = get();
    const dave = await addUser(oned, 'acl-dave');
    const doc = await okId(oned, 'one.document.allocate', ['NAME = "acl-doomed"', 1]);
    const id = await okId(oned, 'one.acl.addrule', [user(dave.id), hex(T.DOCUMENT | INDIVIDUAL | BigInt(doc)), hex(USE)]);
    await okId(oned, 'one.document.delete', [doc]);
    assert.ok(!(await rules(oned)).some((r) => r.id === id));
  });
});

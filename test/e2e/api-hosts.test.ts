/**
 * Hosts over raw XML-RPC: both allocate forms, names and drivers, the HOST XML, status changes,
 * update and rename, delete, the pool and monitoring listings, restart persistence, and who may
 * do what (oneadmin's group, ACL rules on a host and on a cluster's hosts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, Fault, addUser, all, faultOf, idList, idsIn, listedIds, must, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';

/** Host states (spec §3.3). */
const State = { INIT: 0, MONITORED: 2, ERROR: 3, DISABLED: 4, OFFLINE: 8 } as const;

// ACL encoding (spec §3.12), written out so the test does not trust oned's own.
const hex = (v: bigint) => v.toString(16);
const INDIVIDUAL = 0x100000000n;
const ALL_ID = 0x400000000n;
const CLUSTER_ID = 0x800000000n;
const HOST = 0x2000000000n;
const CLUSTER = 0x200000000000n;
const Right = { USE: 1n, MANAGE: 2n, ADMIN: 4n, CREATE: 8n } as const;

/** Adds an ACL rule `#uid <resource> <rights>` and returns its id. */
function addRule(oned: Oned, uid: number, resource: bigint, rights: bigint): Promise<number> {
  return okId(oned, 'one.acl.addrule', [hex(INDIVIDUAL | BigInt(uid)), hex(resource), hex(rights)]);
}

async function host(oned: Oned, id: number, session = oned.oneadmin): Promise<XmlNode> {
  const h = await okXml(oned, 'one.host.info', [id], session);
  assert.equal(h.name, 'HOST');
  return h;
}

const stateOf = async (oned: Oned, id: number) => {
  const h = await host(oned, id);
  return [childInt(h, 'STATE'), childInt(h, 'PREV_STATE')];
};

async function hostIds(oned: Oned, session = oned.oneadmin): Promise<number[]> {
  const pool = await okXml(oned, 'one.hostpool.info', [], session);
  assert.equal(pool.name, 'HOST_POOL');
  return idsIn(pool, 'HOST');
}

onFeatureBackends('hosts', (get) => {
  test('allocate (HEAD form): the HOST XML of a new host in the default cluster', async () => {
    const oned = get();
    const id = await okId(oned, 'one.host.allocate', ['h-node1', 'kvm', 'kvm', -1]);
    const h = await host(oned, id);
    assert.deepEqual(
      h.children.map((c) => c.name),
      ['ID', 'NAME', 'STATE', 'PREV_STATE', 'IM_MAD', 'VM_MAD', 'CLUSTER_ID', 'CLUSTER', 'HOST_SHARE', 'VMS', 'TEMPLATE', 'MONITORING'],
    );
    assert.equal(childInt(h, 'ID'), id);
    assert.equal(childText(h, 'NAME'), 'h-node1');
    assert.deepEqual(await stateOf(oned, id), [State.INIT, State.INIT]);
    assert.equal(childText(h, 'IM_MAD'), 'kvm');
    assert.equal(childText(h, 'VM_MAD'), 'kvm');
    assert.equal(childInt(h, 'CLUSTER_ID'), 0);
    assert.equal(childText(h, 'CLUSTER'), 'default');
    const share = must(h, 'HOST_SHARE');
    assert.deepEqual(
      share.children.map((c) => c.name),
      ['MEM_USAGE', 'CPU_USAGE', 'TOTAL_MEM', 'TOTAL_CPU', 'MAX_MEM', 'MAX_CPU', 'RUNNING_VMS', 'VMS_THREAD', 'DATASTORES', 'PCI_DEVICES', 'NUMA_NODES'],
    );
    for (const n of ['MEM_USAGE', 'CPU_USAGE', 'TOTAL_MEM', 'TOTAL_CPU', 'MAX_MEM', 'MAX_CPU', 'RUNNING_VMS']) assert.equal(childInt(share, n, -1), 0, n);
    assert.deepEqual(must(share, 'DATASTORES').children.map((c) => c.name), ['DISK_USAGE', 'FREE_DISK', 'MAX_DISK', 'USED_DISK']);
    assert.deepEqual(idList(h, 'VMS'), []);
    assert.deepEqual(templateOf(h), { IM_MAD: 'kvm', RESERVED_CPU: '', RESERVED_MEM: '', VM_MAD: 'kvm' });
    assert.equal(must(h, 'MONITORING').children.length, 0, 'never monitored');
    // No owner or permissions in a host's XML: it is oneadmin's.
    for (const n of ['UID', 'GID', 'UNAME', 'GNAME', 'PERMISSIONS']) assert.equal(child(h, n), undefined, n);
    assert.ok(idList(await okXml(oned, 'one.cluster.info', [0]), 'HOSTS').includes(id), 'listed by its cluster');
  });

  test('allocate (3.x forms): a network driver and a cluster id, or a fourth string alone', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['h-legacy']);
    const id = await okId(oned, 'one.host.allocate', ['h-node2', 'im_kvm', 'vmm_kvm', 'dummy', c]);
    const h = await host(oned, id);
    assert.equal(childInt(h, 'CLUSTER_ID'), c);
    assert.equal(childText(h, 'CLUSTER'), 'h-legacy');
    assert.equal(childText(h, 'IM_MAD'), 'im_kvm');
    assert.equal(templateOf(h).VN_MAD, 'dummy');
    assert.deepEqual(idList(await okXml(oned, 'one.cluster.info', [c]), 'HOSTS'), [id]);
    const old = await okId(oned, 'one.host.allocate', ['h-node3', 'kvm', 'kvm', 'tm_ssh']);
    assert.equal(childInt(await host(oned, old), 'CLUSTER_ID'), 0, 'no cluster: the default one');
    const fault = await faultOf(oned.call('one.host.allocate', ['h-node4', 'kvm', 'kvm', [1]]));
    assert.equal(fault.code, Fault.TYPE);
    assert.match(fault.message, /Parameter 5 of one\.host\.allocate must be an integer or a string/);
  });

  test('allocate refuses taken or invalid names, bad drivers and unknown clusters', async () => {
    const oned = get();
    const id = await okId(oned, 'one.host.allocate', ['h-dup', 'kvm', 'kvm', -1]);
    const before = await hostIds(oned);
    await refused(oned, 'one.host.allocate', ['h-dup', 'kvm', 'kvm', -1], Code.ALLOCATE, new RegExp(`Error allocating a new host\\. NAME is already taken by HOST ${id}\\.`));
    await refused(oned, 'one.host.allocate', ['bad/name', 'kvm', 'kvm', -1], Code.ALLOCATE, /Invalid NAME, char '\/' is not allowed/);
    await refused(oned, 'one.host.allocate', ['', 'kvm', 'kvm', -1], Code.ALLOCATE, /Invalid NAME, it cannot be empty/);
    await refused(oned, 'one.host.allocate', ['x'.repeat(129), 'kvm', 'kvm', -1], Code.ALLOCATE, /max length is 128/);
    await refused(oned, 'one.host.allocate', ['h-noim', '', 'kvm', -1], Code.ALLOCATE, /IM_MAD_NAME cannot be empty/);
    await refused(oned, 'one.host.allocate', ['h-novmm', 'kvm', '', -1], Code.ALLOCATE, /VMM_MAD_NAME cannot be empty/);
    await refused(oned, 'one.host.allocate', ['h-badvmm', 'kvm', 'k v m', -1], Code.ALLOCATE, /Invalid VMM_MAD "k v m"/);
    await refused(oned, 'one.host.allocate', ['h-nocluster', 'kvm', 'kvm', 999], Code.NO_EXISTS, /Error getting cluster \[999\]/);
    assert.deepEqual(await hostIds(oned), before, 'nothing was created');
  });

  test('status and enable: DISABLED, back to INIT, OFFLINE; PREV_STATE follows; bad codes refused', async () => {
    const oned = get();
    const id = await okId(oned, 'one.host.allocate', ['h-status', 'dummy', 'dummy', -1]);
    assert.equal(await okId(oned, 'one.host.status', [id, 1]), id);
    assert.deepEqual(await stateOf(oned, id), [State.DISABLED, State.INIT]);
    await okId(oned, 'one.host.status', [id, 0]);
    assert.deepEqual(await stateOf(oned, id), [State.INIT, State.DISABLED], 'never monitored: enabled hosts start over in INIT');
    await okId(oned, 'one.host.status', [id, 2]);
    assert.deepEqual(await stateOf(oned, id), [State.OFFLINE, State.INIT]);
    await okId(oned, 'one.host.enable', [id, false]);
    assert.deepEqual(await stateOf(oned, id), [State.DISABLED, State.OFFLINE]);
    await okId(oned, 'one.host.enable', [id, true]);
    assert.deepEqual(await stateOf(oned, id), [State.INIT, State.DISABLED]);
    await refused(oned, 'one.host.status', [id, 3], Code.INTERNAL, /Wrong status code 3/);
    await refused(oned, 'one.host.status', [9999, 1], Code.NO_EXISTS, /Error getting host \[9999\]/);
    assert.deepEqual(await stateOf(oned, id), [State.INIT, State.DISABLED]);
  });

  test('update merges or replaces the template, keeps the drivers, renames them, and applies RESERVED_CPU', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['h-reserve']);
    const id = await okId(oned, 'one.host.allocate', ['h-update', 'kvm', 'kvm', c]);
    await okId(oned, 'one.host.update', [id, 'NOTE = "rack 4"\nRESERVED_CPU = "100"', 1]);
    let h = await host(oned, id);
    assert.deepEqual(templateOf(h), { IM_MAD: 'kvm', NOTE: 'rack 4', RESERVED_CPU: '100', RESERVED_MEM: '', VM_MAD: 'kvm' });
    assert.equal(childInt(must(h, 'HOST_SHARE'), 'MAX_CPU'), -100, 'nothing monitored yet, 100 reserved');

    await okId(oned, 'one.host.update', [id, 'VM_MAD = "qemu"\nOTHER = "1"', 0]);
    h = await host(oned, id);
    assert.deepEqual(templateOf(h), { IM_MAD: 'kvm', OTHER: '1', VM_MAD: 'qemu' }, 'replaced, drivers kept');
    assert.equal(childText(h, 'VM_MAD'), 'qemu');
    assert.equal(childInt(must(h, 'HOST_SHARE'), 'MAX_CPU'), 0);

    // Without its own reservation the host takes its cluster's.
    await okId(oned, 'one.cluster.update', [c, 'RESERVED_CPU = "50"', 1]);
    assert.equal(childInt(must(await host(oned, id), 'HOST_SHARE'), 'MAX_CPU'), -50);

    await refused(oned, 'one.host.update', [id, 'IM_MAD = "bad driver"', 1], Code.ACTION, /Invalid IM_MAD/);
    await refused(oned, 'one.host.update', [id, 'A = [ B = "1"', 1], Code.ACTION, /Parse error/);
    await refused(oned, 'one.host.update', [id, 'A = 1', 2], Code.XML_RPC_API, /Wrong update type/);
    assert.deepEqual(templateOf(await host(oned, id)), { IM_MAD: 'kvm', OTHER: '1', VM_MAD: 'qemu' });
  });

  test('rename: a new unique, valid name', async () => {
    const oned = get();
    const a = await okId(oned, 'one.host.allocate', ['h-ren-a', 'kvm', 'kvm', -1]);
    await okId(oned, 'one.host.allocate', ['h-ren-b', 'kvm', 'kvm', -1]);
    assert.equal(await okId(oned, 'one.host.rename', [a, 'h-ren-c']), a);
    assert.equal(childText(await host(oned, a), 'NAME'), 'h-ren-c');
    await refused(oned, 'one.host.rename', [a, 'h-ren-b'], Code.ACTION, /NAME is already taken by HOST/);
    await refused(oned, 'one.host.rename', [a, 'a#b'], Code.ACTION, /char '#' is not allowed/);
    assert.equal(childText(await host(oned, a), 'NAME'), 'h-ren-c');
    await okId(oned, 'one.host.allocate', ['h-ren-a', 'kvm', 'kvm', -1]);
  });

  test('delete: gone from the pool and its cluster; the name is free again', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['h-del']);
    const id = await okId(oned, 'one.host.allocate', ['h-delete', 'kvm', 'kvm', c]);
    assert.equal(await okId(oned, 'one.host.delete', [id]), id);
    await refused(oned, 'one.host.info', [id], Code.NO_EXISTS, new RegExp(`Error getting host \\[${id}\\]`));
    await refused(oned, 'one.host.delete', [id], Code.NO_EXISTS, /Error getting host/);
    assert.ok(!(await hostIds(oned)).includes(id));
    assert.deepEqual(idList(await okXml(oned, 'one.cluster.info', [c]), 'HOSTS'), []);
    assert.ok((await okId(oned, 'one.host.allocate', ['h-delete', 'kvm', 'kvm', -1])) > id, 'ids are not reused');
  });

  test('hostpool.info lists every host, newest first; monitoring listings are empty before any probe', async () => {
    const oned = get();
    const ids = [];
    for (const n of ['h-list-1', 'h-list-2', 'h-list-3']) ids.push(await okId(oned, 'one.host.allocate', [n, 'dummy', 'dummy', -1]));
    const all = listedIds(await okXml(oned, 'one.hostpool.info', []), 'HOST');
    assert.deepEqual(all, [...all].sort((a, b) => b - a));
    for (const id of ids) assert.ok(all.includes(id));
    const mon = await okXml(oned, 'one.host.monitoring', [ids[0]!]);
    assert.equal(mon.name, 'MONITORING_DATA');
    assert.equal(mon.children.length, 0);
    for (const seconds of [0, -1, 60]) {
      const pool = await okXml(oned, 'one.hostpool.monitoring', [seconds]);
      assert.equal(pool.name, 'MONITORING_DATA');
      assert.equal(pool.children.length, 0);
    }
    await refused(oned, 'one.host.monitoring', [9999], Code.NO_EXISTS, /Error getting host \[9999\]/);
  });

  test('regular users may not create, see or change hosts; the oneadmin group may', async () => {
    const oned = get();
    const id = await okId(oned, 'one.host.allocate', ['h-private', 'kvm', 'kvm', -1]);
    const eve = await addUser(oned, 'h-eve');
    // Every failed check named, as OpenNebula 7.4 names them (its reference answer 072).
    await refused(
      oned, 'one.host.allocate', ['h-eve-host', 'kvm', 'kvm', -1], Code.AUTHORIZATION,
      new RegExp(`^\\[one\\.host\\.allocate\\] User \\[${eve.id}\\] : Not authorized to perform CREATE HOST; Not authorized to perform ADMIN CLUSTER \\[0\\]\\.$`), eve.session,
    );
    await refused(oned, 'one.host.info', [id], Code.AUTHORIZATION, new RegExp(`Not authorized to perform USE HOST \\[${id}\\]`), eve.session);
    await refused(oned, 'one.host.monitoring', [id], Code.AUTHORIZATION, /Not authorized to perform USE HOST/, eve.session);
    for (const [method, params] of [
      ['one.host.status', [id, 1]],
      ['one.host.enable', [id, false]],
      ['one.host.update', [id, 'A = 1', 1]],
      ['one.host.rename', [id, 'h-eve-renamed']],
      ['one.host.delete', [id]],
    ] as const) {
      await refused(oned, method, [...params], Code.AUTHORIZATION, new RegExp(`Not authorized to perform ADMIN HOST \\[${id}\\]`), eve.session);
    }
    assert.deepEqual(await hostIds(oned, eve.session), [], 'sees no host');
    assert.equal((await okXml(oned, 'one.hostpool.monitoring', [-1], eve.session)).children.length, 0);
    assert.deepEqual(await stateOf(oned, id), [State.INIT, State.INIT]);

    const ops = await addUser(oned, 'h-ops', [0]);
    await okId(oned, 'one.host.status', [id, 1], ops.session);
    assert.ok((await hostIds(oned, ops.session)).includes(id));
  });

  test('ACL rules: one host by id, and the hosts of one cluster (%cid), never the others', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['h-acl']);
    const in1 = await okId(oned, 'one.host.allocate', ['h-acl-in1', 'kvm', 'kvm', c]);
    const in2 = await okId(oned, 'one.host.allocate', ['h-acl-in2', 'kvm', 'kvm', c]);
    const out = await okId(oned, 'one.host.allocate', ['h-acl-out', 'kvm', 'kvm', -1]);
    const single = await okId(oned, 'one.host.allocate', ['h-acl-single', 'kvm', 'kvm', -1]);
    const ann = await addUser(oned, 'h-ann');
    const cidHosts = HOST | CLUSTER_ID | BigInt(c);

    await addRule(oned, ann.id, HOST | INDIVIDUAL | BigInt(single), Right.USE);
    await addRule(oned, ann.id, cidHosts, Right.USE | Right.MANAGE);
    assert.deepEqual(await hostIds(oned, ann.session), [in1, in2, single]);
    await host(oned, in1, ann.session);
    await host(oned, single, ann.session);
    await refused(oned, 'one.host.info', [out], Code.AUTHORIZATION, new RegExp(`Not authorized to perform USE HOST \\[${out}\\]`), ann.session);
    // MANAGE is not enough: OpenNebula asks ADMIN for every change of a host.
    await refused(oned, 'one.host.status', [in1, 1], Code.AUTHORIZATION, /Not authorized to perform ADMIN HOST/, ann.session);

    await addRule(oned, ann.id, cidHosts, Right.ADMIN);
    await okId(oned, 'one.host.status', [in1, 1], ann.session);
    await okId(oned, 'one.host.update', [in2, 'RACK = "7"', 1], ann.session);
    assert.equal(childInt(await host(oned, in1), 'STATE'), State.DISABLED);
    await refused(oned, 'one.host.status', [out, 1], Code.AUTHORIZATION, new RegExp(`Not authorized to perform ADMIN HOST \\[${out}\\]`), ann.session);
    await refused(oned, 'one.host.status', [single, 1], Code.AUTHORIZATION, /Not authorized to perform ADMIN HOST/, ann.session);

    // Leaving the cluster leaves the rule's reach.
    await okId(oned, 'one.cluster.delhost', [c, in2]);
    assert.deepEqual(await hostIds(oned, ann.session), [in1, single]);
    await refused(oned, 'one.host.info', [in2], Code.AUTHORIZATION, /Not authorized to perform USE HOST/, ann.session);
    // Moving a host needs ADMIN on the target cluster too.
    await refused(oned, 'one.cluster.addhost', [c, out], Code.AUTHORIZATION, new RegExp(`Not authorized to perform ADMIN CLUSTER \\[${c}\\]`), ann.session);

    // Creating hosts: CREATE on HOST and ADMIN on the cluster they go to.
    await addRule(oned, ann.id, HOST | ALL_ID, Right.CREATE);
    await refused(oned, 'one.host.allocate', ['h-ann-new', 'kvm', 'kvm', c], Code.AUTHORIZATION, new RegExp(`User \\[${ann.id}\\] : Not authorized to perform ADMIN CLUSTER \\[${c}\\]\\.$`), ann.session);
    await addRule(oned, ann.id, CLUSTER | INDIVIDUAL | BigInt(c), Right.USE | Right.ADMIN);
    const made = await okId(oned, 'one.host.allocate', ['h-ann-new', 'kvm', 'kvm', c], ann.session);
    assert.ok((await hostIds(oned, ann.session)).includes(made), 'in the cluster: visible to its creator');

    // Deleting the cluster drops the rules on its hosts.
    await okId(oned, 'one.cluster.delhost', [c, in1]);
    await okId(oned, 'one.cluster.delhost', [c, made]);
    await okId(oned, 'one.cluster.delete', [c]);
    const acl = await okXml(oned, 'one.acl.info', []);
    assert.ok(!all(acl, 'ACL').some((r) => childText(r, 'RESOURCE') === hex(cidHosts)), 'no %cid rule left');
    assert.deepEqual(await hostIds(oned, ann.session), [single]);
  });

  test('hosts, their clusters and states survive a restart; ids go on', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['h-persist']);
    await okId(oned, 'one.cluster.update', [c, 'RESERVED_MEM = "10%"', 1]);
    const a = await okId(oned, 'one.host.allocate', ['h-persist-a', 'kvm', 'kvm', c]);
    const b = await okId(oned, 'one.host.allocate', ['h-persist-b', 'xen', 'xen', 'dummy', -1]);
    await okId(oned, 'one.host.status', [a, 2]);
    await okId(oned, 'one.host.update', [b, 'NOTE = "<&>"', 1]);
    await okId(oned, 'one.host.rename', [b, 'h-persist-b2']);
    const dropped = await okId(oned, 'one.host.allocate', ['h-persist-dropped', 'kvm', 'kvm', -1]);
    await okId(oned, 'one.host.delete', [dropped]);
    const calls: [string, (string | number)[]][] = [
      ['one.hostpool.info', []],
      ['one.clusterpool.info', []],
      ['one.host.info', [a]],
      ['one.host.info', [b]],
    ];
    const before = [];
    for (const [m, p] of calls) before.push(String(await oned.ok(m, p)));
    assert.equal(await oned.signal('SIGTERM'), 0);
    await oned.launch();
    for (let i = 0; i < calls.length; i++) assert.equal(String(await oned.ok(calls[i]![0], calls[i]![1])), before[i], calls[i]![0]);
    assert.equal(templateOf(await host(oned, b)).NOTE, '<&>');
    assert.ok((await okId(oned, 'one.host.allocate', ['h-persist-next', 'kvm', 'kvm', -1])) > dropped);
    assert.ok((await okId(oned, 'one.cluster.allocate', ['h-persist-next'])) > c);
  });
});

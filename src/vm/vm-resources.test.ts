import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import type { Database } from '../db/database.js';
import { Transaction } from '../pool/index.js';
import { ResourceError, VmResources, vectors, vmQuotaUsage, type ImageProvider, type NetworkProvider, type ResourceUser } from './vm-resources.js';
import type { PoolObject } from '../pool/index.js';
import { NO_IMAGES, NO_NETWORKS } from './testing.js';

const tx = new Transaction({ write: async () => {} } as unknown as Database);

/** The owner (uid 2), allowed to use everything. */
const owner: ResourceUser = { uid: 2, mayUse: () => {} };

/** Stand-ins for the image and network objects of the pools, by id. */
const object = (id: string | undefined) => ({ oid: Number(id) }) as unknown as PoolObject;

test('DISK_ID and TARGET, NIC_ID and MAC are numbered as OpenNebula does', () => {
  const t = Template.parse('DISK = [ TYPE = FS, SIZE = 10 ]\nDISK = [ TYPE = swap, SIZE = 2, TARGET = hda ]\nDISK = [ TYPE = fs, SIZE = 1, DEV_PREFIX = vd ]\nNIC = [ BRIDGE = br0, IP = "10.1.2.3" ]\nNIC = [ BRIDGE = br0 ]\nCONTEXT = [ A = 1 ]');
  new VmResources(NO_IMAGES, NO_NETWORKS).prepare(tx, t, 258, owner);
  const disks = vectors(t, 'DISK');
  // OpenNebula's TARGET order: disks from images, the context disk, then volatile disks.
  assert.deepEqual(disks.map((d) => [d.get('DISK_ID'), d.get('TARGET'), d.get('TYPE'), d.get('DEV_PREFIX')]), [['0', 'hdc', 'fs', 'hd'], ['1', 'hda', 'swap', 'hd'], ['2', 'vda', 'fs', 'vd']]);
  assert.equal(disks[0]!.get('FORMAT'), 'raw');
  assert.deepEqual([t.getVector('CONTEXT')!.get('DISK_ID'), t.getVector('CONTEXT')!.get('TARGET')], ['3', 'hdb'], 'the context disk is numbered after the disks, its TARGET comes before the volatile ones');
  const nics = vectors(t, 'NIC');
  assert.deepEqual(nics.map((n) => [n.get('NIC_ID'), n.get('MAC'), n.get('NAME'), n.get('TARGET')]), [['0', '02:00:0a:01:02:03', 'NIC0', 'one-258-0'], ['1', '02:00:00:01:02:01', 'NIC1', 'one-258-1']]);
  // The configured prefixes (DEFAULT_DEVICE_PREFIX, DEFAULT_CDROM_DEVICE_PREFIX).
  const sd = Template.parse('DISK = [ TYPE = fs, SIZE = 1 ]\nCONTEXT = [ A = 1 ]');
  new VmResources(NO_IMAGES, NO_NETWORKS, { devPrefix: 'sd', contextDevPrefix: 'sd' }).prepare(tx, sd, 1, owner);
  assert.deepEqual([vectors(sd, 'DISK')[0]!.get('TARGET'), vectors(sd, 'DISK')[0]!.get('DEV_PREFIX'), sd.getVector('CONTEXT')!.get('TARGET')], ['sdb', 'sd', 'sda']);
});

test('unknown images and networks, and bad volatile disks, are refused naming the DISK or NIC', () => {
  const r = new VmResources(NO_IMAGES, NO_NETWORKS);
  const refuse = (text: string, message: RegExp) => assert.throws(() => r.prepare(tx, Template.parse(text), 1, owner), (e: Error) => e instanceof ResourceError && message.test(e.message));
  refuse('DISK = [ IMAGE = "ubuntu" ]', /DISK 0: Image ubuntu does not exist/);
  refuse('DISK = [ TYPE = fs, SIZE = 1 ]\nDISK = [ IMAGE_ID = 4 ]', /DISK 1: Image 4 does not exist/);
  refuse('NIC = [ NETWORK_ID = 0 ]', /NIC 0: Virtual network 0 does not exist/);
  refuse('DISK = [ TYPE = block, SIZE = 1 ]', /must be volatile/);
  refuse('DISK = [ TYPE = fs, SIZE = -3 ]', /needs SIZE/);
  // A FORMAT that would add words or lines to the transfer file (another TM command) is refused.
  refuse('DISK = [ TYPE = fs, SIZE = 1, FORMAT = "raw\nCLONE shared fe:/etc/shadow h:/x 1 1" ]', /FORMAT [\s\S]* is not a disk format/);
  refuse('DISK = [ TYPE = fs, SIZE = 1, FORMAT = "raw x" ]', /FORMAT .* is not a disk format/);
  refuse('NIC = [ MAC = "zz" ]', /MAC "zz" is not a MAC address/);
});

test('providers are called in the transaction step: acquire, lease, release', () => {
  const calls: string[] = [];
  const images: ImageProvider = {
    resolveDisk: (d) => object(d.get('IMAGE_ID')),
    usableError: (i) => (i.oid === 9 ? 'Image 9 is in ERROR' : null),
    acquire: (_tx, i, vm, d) => (calls.push(`acquire ${i.oid} ${vm}`), d.set('SOURCE', `/img/${i.oid}`)),
    fillDisk: (i, d) => d.set('SOURCE', `/img/${i.oid}`),
    release: (_tx, i, vm) => calls.push(`release ${i} ${vm}`),
  };
  const vnets: NetworkProvider = {
    resolveNic: (n) => object(n.get('NETWORK_ID')),
    allocateLease: (_tx, v, vm, n) => (calls.push(`lease ${v.oid} ${vm}`), n.set('IP', '10.0.0.9')),
    releaseLease: (_tx, n, vm) => calls.push(`free ${n.get('NETWORK_ID')} ${vm}`),
    contextOf: (n, v) => ({ [`ETH${n.get('NIC_ID')}_IP`]: n.get('IP')!, [`ETH${n.get('NIC_ID')}_GATEWAY`]: `gw-of-${v.oid}` }),
  };
  const r = new VmResources(images, vnets);
  const t = Template.parse('DISK = [ IMAGE_ID = 3 ]\nNIC = [ NETWORK_ID = 5 ]');
  r.prepare(tx, t, 8, owner);
  assert.equal(vectors(t, 'DISK')[0]!.get('SOURCE'), '/img/3');
  r.releaseAll(tx, t, 8);
  assert.deepEqual(calls, ['acquire 3 8', 'lease 5 8', 'release 3 8', 'free 5 8']);
  // CONTEXT NETWORK = YES: ETH<NIC_ID>_* of each NIC, from its network or the NIC itself.
  const withContext = Template.parse('NIC = [ NETWORK_ID = 5 ]\nNIC = [ IP = "192.0.2.7" ]\nCONTEXT = [ NETWORK = "YES", ETH0_IP = "mine" ]');
  r.prepare(tx, withContext, 8, owner);
  const ctx = withContext.getVector('CONTEXT')!;
  assert.deepEqual([ctx.get('ETH0_IP'), ctx.get('ETH0_GATEWAY'), ctx.get('ETH1_IP'), ctx.get('ETH1_MAC')], ['10.0.0.9', 'gw-of-5', '192.0.2.7', vectors(withContext, 'NIC')[1]!.get('MAC')]);
  const without = Template.parse('NIC = [ NETWORK_ID = 5 ]\nCONTEXT = [ HOSTNAME = "h" ]');
  r.prepare(tx, without, 8, owner);
  assert.equal(without.getVector('CONTEXT')!.get('ETH0_IP'), undefined, 'nothing generated without NETWORK = YES');
  calls.length = 0;
  assert.throws(() => r.prepare(tx, Template.parse('DISK = [ IMAGE_ID = 9 ]'), 1, owner), /DISK 0: Image 9 is in ERROR/);
  // The caller must be allowed to USE each image and network: checked before anything is taken.
  const seen: number[] = [];
  const stranger: ResourceUser = {
    uid: 2,
    mayUse: (o) => {
      seen.push(o.oid);
      if (o.oid === 5) throw new Error('Not authorized to perform USE NET [5]');
    },
  };
  calls.length = 0;
  assert.throws(() => r.prepare(tx, Template.parse('DISK = [ IMAGE_ID = 3 ]\nNIC = [ NETWORK_ID = 5 ]'), 9, stranger), /USE NET \[5\]/);
  assert.deepEqual(seen, [3, 5]);
  assert.deepEqual(calls, ['acquire 3 9'], 'the caller rolls back what was taken (Transaction.rollback)');
});

test('image disks take what OpenNebula 7.4 shows of the image and its datastore; NICs of their network', () => {
  const images: ImageProvider = {
    resolveDisk: (d) => object(d.get('IMAGE_ID')),
    usableError: () => null,
    acquire: (_tx, i, _vm, d) => fill(i, d),
    fillDisk: (i, d) => fill(i, d),
    release: () => {},
  };
  function fill(i: PoolObject, d: Map<string, string>): void {
    for (const [k, v] of Object.entries({ IMAGE: `img${i.oid}`, IMAGE_UNAME: 'oneadmin', IMAGE_UID: '0', PERSISTENT: 'NO', SIZE: '1024', FORMAT: 'qcow2', DATASTORE_ID: '101', DEV_PREFIX: 'sd' })) d.set(k, v);
  }
  const vnets: NetworkProvider = {
    resolveNic: (n) => Object.assign(object(n.get('NETWORK_ID')), { clusterIds: [100, 101] }),
    allocateLease: (_tx, _v, _vm, n) => {
      for (const [k, v] of Object.entries({ IP: '10.0.0.9', NETWORK_UNAME: 'oneadmin', PHYDEV: '', BRIDGE: 'br0' })) n.set(k, v);
    },
    releaseLease: () => {},
    contextOf: (n) => ({ [`ETH${n.get('NIC_ID')}_IP`]: n.get('IP')!, [`ETH${n.get('NIC_ID')}_DNS`]: '10.0.0.1', [`ETH${n.get('NIC_ID')}_GATEWAY`]: '10.0.0.254' }),
  };
  const r = new VmResources(images, vnets, {
    datastoreDiskAttributes: (id) => (id === 101 ? { ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'NONE', DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES' } : undefined),
    imageState: () => 2,
  });
  const t = Template.parse('DISK = [ IMAGE_ID = 3 ]\nDISK = [ IMAGE_ID = 4, IMAGE_UNAME = "oneadmin" ]\nNIC = [ NETWORK_ID = 5 ]\nCONTEXT = [ NETWORK = "YES" ]');
  r.prepare(tx, t, 8, owner);
  const [d0, d1] = vectors(t, 'DISK');
  assert.deepEqual(Object.fromEntries(d0!), {
    IMAGE_ID: '3', DISK_ID: '0', IMAGE: 'img3', SIZE: '1024', FORMAT: 'qcow2', DATASTORE_ID: '101', DEV_PREFIX: 'sd', TARGET: 'sda',
    IMAGE_STATE: '2', ORIGINAL_SIZE: '1024', DISK_SNAPSHOT_TOTAL_SIZE: '0', ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', LN_TARGET: 'NONE',
    DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES', DRIVER: 'qcow2',
  });
  assert.equal(d1!.get('IMAGE_UNAME'), 'oneadmin', 'kept when the DISK named the image by it');
  const nic = Object.fromEntries(vectors(t, 'NIC')[0]!);
  assert.deepEqual(nic, {
    NETWORK_ID: '5', NIC_ID: '0', NAME: 'NIC0', TARGET: 'one-8-0', IP: '10.0.0.9', BRIDGE: 'br0', CLUSTER_ID: '100,101', DNS: '10.0.0.1', GATEWAY: '10.0.0.254', SECURITY_GROUPS: '0',
  });
  const ctx = t.getVector('CONTEXT')!;
  assert.equal(ctx.get('ETH0_IP'), '10.0.0.9');
  assert.equal(ctx.get('ETH0_VROUTER_MANAGEMENT'), '', 'every variable 7.4 writes, empty when unknown');
  assert.equal([...ctx.keys()].filter((k) => k.startsWith('ETH0_')).length, 22);

  // info extended of a template: the same DISK filling, nothing taken, no TARGET.
  const tmpl = Template.parse('DISK = [ IMAGE_ID = 3 ]\nDISK = [ TYPE = fs, SIZE = 1 ]');
  r.extendDisks(tmpl, 0);
  assert.deepEqual(vectors(tmpl, 'DISK').map((d) => [d.get('DISK_ID'), d.get('IMAGE'), d.get('TARGET'), d.get('DEV_PREFIX')]), [['0', 'img3', undefined, 'sd'], ['1', undefined, undefined, undefined]]);

  // Deploy: the volatile disks on the system datastore, TM_MAD_SYSTEM, the GRAPHICS port.
  const vm = Template.parse('DISK = [ DISK_ID = 0, TYPE = fs, SIZE = 1, FORMAT = raw ]\nDISK = [ DISK_ID = 1, IMAGE_ID = 3, TM_MAD = ssh ]\nGRAPHICS = [ TYPE = VNC ]');
  new VmResources(images, vnets, { datastoreDiskAttributes: () => ({ ALLOW_ORPHANS: 'NO', DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES', CLONE_TARGET: 'SYSTEM' }) }).placeOnSystemDatastore(vm, 7, {
    oid: 100, name: 'sys', clusterIds: [100], fields: { tmMad: 'dummy' },
  });
  assert.equal(vm.get('TM_MAD_SYSTEM'), 'dummy');
  assert.deepEqual(Object.fromEntries(vectors(vm, 'DISK')[0]!), {
    DISK_ID: '0', TYPE: 'fs', SIZE: '1', FORMAT: 'raw', DATASTORE: 'sys', DATASTORE_ID: '100', TM_MAD: 'dummy', CLUSTER_ID: '100', ALLOW_ORPHANS: 'NO', DISK_TYPE: 'FILE', PERSISTENT_SNAPSHOTS: 'YES', DRIVER: 'raw',
  });
  assert.equal(vectors(vm, 'DISK')[1]!.get('TM_MAD'), 'ssh', 'image disks keep their datastore');
  assert.equal(vm.getVector('GRAPHICS')!.get('PORT'), '5907');
});

test('the VM quota: one VM, its CPU and MEMORY, its volatile disks, the VMs of each image, a lease per NIC', () => {
  const t = Template.parse('CPU = 1.5\nMEMORY = 512\nDISK = [ TYPE = fs, SIZE = 10 ]\nDISK = [ TYPE = swap, SIZE = 4 ]\nDISK = [ IMAGE_ID = 3 ]\nNIC = [ NETWORK_ID = 5 ]\nNIC = [ BRIDGE = br0 ]');
  assert.deepEqual(vmQuotaUsage(t), [
    { kind: 'VM', amounts: { VMS: 1, CPU: 1.5, MEMORY: 512, SYSTEM_DISK_SIZE: 14 } },
    { kind: 'IMAGE', id: 3, amounts: { RVMS: 1 } },
    { kind: 'NETWORK', id: 5, amounts: { LEASES: 1 } },
  ]);
});

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
  assert.deepEqual(disks.map((d) => [d.get('DISK_ID'), d.get('TARGET'), d.get('TYPE')]), [['0', 'hdb', 'fs'], ['1', 'hda', 'swap'], ['2', 'vda', 'fs']]);
  assert.equal(disks[0]!.get('FORMAT'), 'raw');
  assert.deepEqual([t.getVector('CONTEXT')!.get('DISK_ID'), t.getVector('CONTEXT')!.get('TARGET')], ['3', 'hdc'], 'the context disk comes after the disks');
  const nics = vectors(t, 'NIC');
  assert.deepEqual(nics.map((n) => [n.get('NIC_ID'), n.get('MAC')]), [['0', '02:00:0a:01:02:03'], ['1', '02:00:00:01:02:01']]);
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

test('the VM quota: one VM, its CPU and MEMORY, its volatile disks, the VMs of each image, a lease per NIC', () => {
  const t = Template.parse('CPU = 1.5\nMEMORY = 512\nDISK = [ TYPE = fs, SIZE = 10 ]\nDISK = [ TYPE = swap, SIZE = 4 ]\nDISK = [ IMAGE_ID = 3 ]\nNIC = [ NETWORK_ID = 5 ]\nNIC = [ BRIDGE = br0 ]');
  assert.deepEqual(vmQuotaUsage(t), [
    { kind: 'VM', amounts: { VMS: 1, CPU: 1.5, MEMORY: 512, SYSTEM_DISK_SIZE: 14 } },
    { kind: 'IMAGE', id: 3, amounts: { RVMS: 1 } },
    { kind: 'NETWORK', id: 5, amounts: { LEASES: 1 } },
  ]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXmlTree } from '../common/xml-tree.js';
import { quotaSections, quotasById, vmQuotaCells } from './quota-format.js';

const POOL = parseXmlTree(
  '<USER_POOL><USER><ID>3</ID></USER>' +
    '<QUOTAS><ID>3</ID><VM_QUOTA><VM><CPU>4</CPU><CPU_USED>1.5</CPU_USED><MEMORY>-1</MEMORY><MEMORY_USED>1536</MEMORY_USED>' +
    '<VMS>-2</VMS><VMS_USED>2</VMS_USED><SYSTEM_DISK_SIZE>-1</SYSTEM_DISK_SIZE><SYSTEM_DISK_SIZE_USED>0</SYSTEM_DISK_SIZE_USED></VM></VM_QUOTA>' +
    '<NETWORK_QUOTA><NETWORK><ID>0</ID><LEASES>10</LEASES><LEASES_USED>1</LEASES_USED></NETWORK></NETWORK_QUOTA></QUOTAS>' +
    '<QUOTAS><ID>4</ID><VM_QUOTA/></QUOTAS>' +
    '<DEFAULT_USER_QUOTAS><VM_QUOTA><VM><MEMORY>4096</MEMORY><CPU>-1</CPU><VMS>-1</VMS></VM></VM_QUOTA></DEFAULT_USER_QUOTAS></USER_POOL>',
);
const DEFAULTS = POOL.children.find((c) => c.name === 'DEFAULT_USER_QUOTAS');

test('listing cells: used / limit, -1 takes the pool default, -2 and unlimited defaults print -', () => {
  const q = quotasById(POOL);
  assert.deepEqual([...q.keys()], ['3', '4']);
  assert.deepEqual(vmQuotaCells({ quotas: q.get('3'), defaults: DEFAULTS }), { vms: '  2 /   -', memory: '   1.5G /      4G', cpu: ' 1.5 /    4' });
  assert.deepEqual(vmQuotaCells({ quotas: q.get('4'), defaults: DEFAULTS }), { vms: '  0 /   -', memory: '     0M /      4G', cpu: '   0 /    -' });
  assert.deepEqual(vmQuotaCells({ quotas: undefined }), { vms: '  0 /   -', memory: '     0M /       -', cpu: '   0 /    -' });
});

test('show sections list the VM quota and every network entry', () => {
  const text = quotaSections({ quotas: quotasById(POOL).get('3'), defaults: DEFAULTS });
  assert.match(text, /^VMS USAGE & QUOTAS\n +VMS +MEMORY +CPU +SYSTEM_DISK_SIZE\n *2 \/ - +1\.5G \/ 4G +1\.5 \/ 4 +0M \/ -$/m);
  assert.match(text, /NETWORK USAGE & QUOTAS\nID +LEASES\n +0 +1 \/ 10/);
  assert.doesNotMatch(text, /DATASTORE USAGE/);
  assert.equal(quotaSections({}), '');
});

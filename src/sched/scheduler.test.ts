import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Oca } from '../oca/index.js';
import { Scheduler, wantedVms } from './scheduler.js';
import { DEFAULT_SCHED_CONFIG } from './sched-config.js';
import { VmCache } from './vm-cache.js';

const el = (id: number, state: number, extra = '', user = '') =>
  `<VM><ID>${id}</ID><STATE>${state}</STATE><LCM_STATE>${state === 3 ? 3 : 0}</LCM_STATE>${extra}<TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY></TEMPLATE><USER_TEMPLATE>${user}</USER_TEMPLATE><HISTORY_RECORDS/></VM>`;

test('only pending, flagged and leased VMs of a listing are parsed and kept', () => {
  const xml = `<VM_POOL>${el(1, 3)}${el(2, 1)}${el(3, 3, '<RESCHED>1</RESCHED>')}${el(4, 3, '', '<SCHED_DURATION>5</SCHED_DURATION><SCHED_END>5</SCHED_END>')}${el(5, 3, '', '<STATE>1</STATE>')}${el(6, 8)}</VM_POOL>`;
  assert.deepEqual(wantedVms(xml, 100).map((v) => v.id), [2, 3, 4]);
});

test('a listing newest first (API_LIST_ORDER DESC) still gives the oldest VM first', () => {
  const xml = `<VM_POOL>${el(9, 1)}${el(7, 1)}${el(8, 1)}</VM_POOL>`;
  assert.deepEqual(wantedVms(xml, 100).map((v) => v.id), [7, 8, 9]);
});

test('DISKs of the short listing: clusters from their datastore, persistent images (CLONE = NO) take no system datastore space', () => {
  const disk = (id: string, ds: string, size: number, clone: string) =>
    `<DISK><DISK_ID>${id}</DISK_ID><DATASTORE></DATASTORE><DATASTORE_ID>${ds}</DATASTORE_ID><IMAGE></IMAGE><IMAGE_ID></IMAGE_ID><SIZE>${size}</SIZE><TYPE>FILE</TYPE><CLONE>${clone}</CLONE></DISK>`;
  const vm = `<VM><ID>9</ID><STATE>1</STATE><LCM_STATE>0</LCM_STATE><TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY>${disk('0', '101', 1024, 'YES')}${disk('1', '102', 500, 'NO')}${disk('2', '', 64, '')}</TEMPLATE><USER_TEMPLATE/><HISTORY_RECORDS/></VM>`;
  const clusters = new Map<number, ReadonlySet<number>>([[101, new Set([100, 101])], [102, new Set([101])]]);
  const [parsed] = wantedVms(`<VM_POOL>${vm}</VM_POOL>`, 100, clusters);
  assert.deepEqual([...parsed!.diskClusters!], [101]);
  assert.equal(parsed!.diskMb, 1024 + 64);
});

test('a second read takes unchanged VMs as parsed, parses changed ones, and always parses leased ones', () => {
  const cache = new VmCache();
  const leased = el(4, 1, '', '<SCHED_DURATION>5</SCHED_DURATION>');
  const first = wantedVms(`<VM_POOL>${el(1, 1)}${el(2, 1)}${leased}</VM_POOL>`, 100, undefined, cache);
  assert.deepEqual([cache.hits, cache.misses], [0, 3]);
  const second = wantedVms(`<VM_POOL>${el(1, 1)}${el(2, 1, '<RESCHED>0</RESCHED>')}${leased}${el(5, 1)}</VM_POOL>`, 200, undefined, cache);
  assert.deepEqual([cache.hits, cache.misses], [1, 3]);
  assert.equal(second[0], first[0], 'VM 1 unchanged: the same object');
  assert.notEqual(second[1], first[1], 'VM 2 changed: parsed again');
  assert.deepEqual(second.map((v) => v.id), [1, 2, 4, 5]);
  wantedVms(`<VM_POOL>${el(1, 1)}</VM_POOL>`, 300, new Map([[0, new Set([0])]]), cache);
  assert.deepEqual([cache.hits, cache.misses], [0, 1], 'other datastore clusters: everything parsed again');
});

test('the PCI requests are read only for the VMs the plan may place: reservations and the first MAX_VM', async () => {
  const pciHost =
    '<HOST_POOL><HOST><ID>0</ID><NAME>n0</NAME><STATE>2</STATE><CLUSTER_ID>0</CLUSTER_ID><HOST_SHARE><MEM_USAGE>0</MEM_USAGE><CPU_USAGE>0</CPU_USAGE>' +
    '<MAX_MEM>16777216</MAX_MEM><MAX_CPU>800</MAX_CPU><PCI_DEVICES><PCI><ADDRESS>0000:02:00:0</ADDRESS><VMID>-1</VMID></PCI></PCI_DEVICES></HOST_SHARE>' +
    '<TEMPLATE/><MONITORING/></HOST></HOST_POOL>';
  const reservation = el(9, 1, '', '<SCHED_START>500</SCHED_START><SCHED_DURATION>60</SCHED_DURATION>');
  const listing = `<VM_POOL>${[1, 2, 3, 4, 5].map((id) => el(id, 1)).join('')}${reservation}</VM_POOL>`;
  const asked: number[][] = [];
  const oca = {
    hosts: { listXml: async () => pciHost, poolMonitoringXml: async () => '<MONITORING_DATA/>' },
    datastores: { listXml: async () => '<DATASTORE_POOL/>' },
    vnets: { listXml: async () => '<VNET_POOL/>' },
    vmGroups: { listXml: async () => '<VM_GROUP_POOL/>' },
    vms: {
      listXml: async () => listing,
      infoSetXml: async (ids: number[]) => {
        asked.push([...ids].sort((a, b) => a - b));
        return `<VM_POOL>${ids.map((id) => el(id, 1, '', '')).join('')}</VM_POOL>`.replace(/<\/TEMPLATE>/, '<PCI><DEVICE>0863</DEVICE></PCI></TEMPLATE>');
      },
    },
  } as unknown as Oca;
  const quiet = { info() {}, warn() {}, error() {} };
  const scheduler = new Scheduler(oca, { ...DEFAULT_SCHED_CONFIG, maxVm: 2 }, quiet, () => 100);
  const input = await scheduler.snapshot();
  assert.deepEqual(asked, [[1, 2, 9]], 'VMs 3-5 are past MAX_VM: their documents are not read');
  assert.deepEqual(input.vms.find((v) => v.id === 1)!.pci.map((p) => p.get('DEVICE')), ['0863']);
  await scheduler.snapshot();
  assert.deepEqual(asked[1], [9], 'unchanged VMs are not read again (a leased one is parsed, so read, every cycle)');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { SchedHost } from './sched-host.js';

/** A host as OpenNebula 7's hostpool.info lists it: NUMA nodes, PCI devices, an empty MONITORING. */
const LISTED =
  '<HOST><ID>4</ID><NAME>n4</NAME><STATE>2</STATE><CLUSTER_ID>0</CLUSTER_ID><HOST_SHARE><MEM_USAGE>1024</MEM_USAGE><CPU_USAGE>100</CPU_USAGE>' +
  '<TOTAL_MEM>16777216</TOTAL_MEM><TOTAL_CPU>800</TOTAL_CPU><MAX_MEM>16777216</MAX_MEM><MAX_CPU>800</MAX_CPU><RUNNING_VMS>1</RUNNING_VMS><VMS_THREAD>1</VMS_THREAD>' +
  '<DATASTORES><DISK_USAGE>0</DISK_USAGE><FREE_DISK>10</FREE_DISK><MAX_DISK>10</MAX_DISK><USED_DISK>0</USED_DISK></DATASTORES>' +
  '<PCI_DEVICES><PCI><ADDRESS>0000:02:00:0</ADDRESS><VMID>-1</VMID></PCI></PCI_DEVICES>' +
  '<NUMA_NODES><NODE><CORE><CPUS>0:-1</CPUS><DEDICATED>NO</DEDICATED><FREE>1</FREE><ID>0</ID></CORE><NODE_ID>0</NODE_ID></NODE></NUMA_NODES></HOST_SHARE>' +
  '<VMS><ID>1</ID></VMS><TEMPLATE><HYPERVISOR>dummy</HYPERVISOR><KVM_CPU_MODELS>kvm64 Nehalem</KVM_CPU_MODELS><TOTALCPU>800</TOTALCPU></TEMPLATE><MONITORING/></HOST>';

const SAMPLE = '<MONITORING><TIMESTAMP>5</TIMESTAMP><ID>4</ID><CAPACITY><FREE_CPU>300</FREE_CPU><FREE_MEMORY>9000</FREE_MEMORY><USED_CPU>500</USED_CPU><USED_MEMORY>7</USED_MEMORY></CAPACITY><SYSTEM><NETRX>1</NETRX><NETTX>2</NETTX></SYSTEM></MONITORING>';

test('a listed host takes its measurements from the hostpool.monitoring sample given', () => {
  const h = SchedHost.fromXml(parseXmlTree(LISTED), parseXmlTree(SAMPLE));
  assert.deepEqual([h.freeCpu, h.freeMemory, h.cpuLeft, h.memLeft], [300, 9000, 700, 16777216 - 1024]);
  assert.deepEqual(h.lookup('USED_CPU'), ['500']);
  assert.deepEqual(h.lookup('NETTX'), ['2']);
  assert.deepEqual(h.lookup('KVM_CPU_MODELS'), ['kvm64 Nehalem'], 'template attributes, 7.4 ones included');
  assert.deepEqual(h.lookup('TOTALCPU'), ['800']);
});

test('without a sample (never monitored), free capacity is what the allocation leaves', () => {
  const h = SchedHost.fromXml(parseXmlTree(LISTED));
  assert.deepEqual([h.freeCpu, h.freeMemory], [700, 16777216 - 1024]);
  assert.equal(h.lookup('USED_CPU'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { child, childInt, childText, parseXmlTree } from '../common/xml-tree.js';
import { Host, HostState, HostStatus, driverNameError } from './host.js';
import { MonitoringReport } from './host-monitoring.js';

const NONE = { cpu: '', mem: '' };

function host(): Host {
  return Host.create(3, 'node-3', 'kvm', 'kvm', 0, 'default');
}

const PROBE = Template.parse(
  'HYPERVISOR = "kvm"\nHOSTNAME = "node-3"\nTOTALCPU = 800\nCPUSPEED = 2200\nTOTALMEMORY = 16000000\n' +
    'FREECPU = 750\nUSEDCPU = 50\nFREEMEMORY = 15000000\nUSEDMEMORY = 1000000\nNETRX = 1234\nNETTX = 5678\n' +
    'DS_LOCATION_TOTAL_MB = 1000\nDS_LOCATION_FREE_MB = 600\nDS_LOCATION_USED_MB = 400\n' +
    'DS = [ ID = 0, TOTAL_MB = 500, FREE_MB = 100, USED_MB = 400 ]\n' +
    'VM = [ ID = 7, POLL = "STATE=a" ]\nHUGEPAGE = [ NODE_ID = 0, SIZE = 2048, FREE = 10 ]\nMEMORY_NODE = [ NODE_ID = 0, USED = 5, FREE = 6 ]',
);

test('a new host: INIT in its cluster, drivers and empty reservations in its template, no monitoring', () => {
  const x = parseXmlTree(host().toXml());
  assert.deepEqual(
    x.children.map((c) => c.name),
    ['ID', 'NAME', 'STATE', 'PREV_STATE', 'IM_MAD', 'VM_MAD', 'CLUSTER_ID', 'CLUSTER', 'HOST_SHARE', 'VMS', 'TEMPLATE', 'MONITORING'],
  );
  assert.equal(childInt(x, 'STATE'), HostState.INIT);
  assert.equal(childText(x, 'CLUSTER'), 'default');
  assert.deepEqual(child(x, 'TEMPLATE')!.children.map((c) => [c.name, c.text]), [['IM_MAD', 'kvm'], ['RESERVED_CPU', ''], ['RESERVED_MEM', ''], ['VM_MAD', 'kvm']]);
  assert.equal(child(x, 'MONITORING')!.children.length, 0);
});

test('a report: description to the template, totals and disks to the share, measurements to the sample only', () => {
  const h = host();
  const report = MonitoringReport.fromProbe(h.oid, PROBE, 1_700_000_000);
  assert.ok(h.reportChangesBody(report));
  h.applyReport(report, { cpu: '100', mem: '' });
  h.setMonitoring(report.sample);
  assert.equal(h.state, HostState.MONITORED);
  assert.equal(h.prevState, HostState.INIT);
  assert.deepEqual([h.share.totalCpu, h.share.maxCpu, h.share.totalMem, h.share.maxMem], [800, 700, 16_000_000, 16_000_000]);
  assert.deepEqual([h.share.disk.max, h.share.disk.free, h.share.disk.used, h.share.disk.ds.length], [1000, 600, 400, 1]);
  const names = h.template.attributes().map((a) => a.name).sort();
  assert.deepEqual(names, ['CPUSPEED', 'HOSTNAME', 'HYPERVISOR', 'IM_MAD', 'RESERVED_CPU', 'RESERVED_MEM', 'TOTALCPU', 'TOTALMEMORY', 'VM_MAD'], 'TOTALCPU and TOTALMEMORY stay, as in OpenNebula 7');
  const sample = parseXmlTree(report.sample.xml);
  assert.equal(childInt(sample, 'TIMESTAMP'), 1_700_000_000);
  assert.equal(childInt(sample, 'ID'), 3);
  assert.deepEqual(child(sample, 'CAPACITY')!.children.map((c) => [c.name, c.text]), [['FREE_CPU', '750'], ['FREE_MEMORY', '15000000'], ['USED_CPU', '50'], ['USED_MEMORY', '1000000']]);
  assert.deepEqual(child(sample, 'SYSTEM')!.children.map((c) => [c.name, c.text]), [['NETRX', '1234'], ['NETTX', '5678']]);
  assert.equal(childInt(child(child(sample, 'NUMA_NODE')!, 'MEMORY')!, 'USED'), 5);
  // The body has no sample; the XML shows it.
  assert.ok(!h.toBody().includes('<CAPACITY>'));
  assert.ok(h.toXml().includes('<FREE_CPU>750</FREE_CPU>'));
  assert.equal(h.lastMonTime, 1_700_000_000);
});

/** A probe with a NUMA topology and PCI devices: the system probe's vectors and the monitor probe's. */
const NUMA_PROBE = (() => {
  const t = PROBE.clone();
  t.remove('HUGEPAGE');
  t.remove('MEMORY_NODE');
  const extra = Template.parse(
    'CORE = [ NODE_ID = 0, ID = 0, CPUS = "0,2" ]\nCORE = [ NODE_ID = 0, ID = 1, CPUS = "1,3" ]\nCORE = [ NODE_ID = 1, ID = 2, CPUS = "4,6" ]\n' +
      'HUGEPAGE = [ NODE_ID = 0, SIZE = 2048, PAGES = 16 ]\nHUGEPAGE = [ NODE_ID = 1, SIZE = 2048, PAGES = 8 ]\n' +
      'MEMORY_NODE = [ NODE_ID = 0, TOTAL = 8000000, DISTANCE = "0 1 " ]\nMEMORY_NODE = [ NODE_ID = 1, TOTAL = 8000000, DISTANCE = "1 0" ]\n' +
      'HUGEPAGE = [ NODE_ID = 0, SIZE = 2048, FREE = 12 ]\nMEMORY_NODE = [ NODE_ID = 0, FREE = 7000000, USED = 1000000 ]\n' +
      'PCI = [ ADDRESS = "0000:02:00:0", SHORT_ADDRESS = "02:00.0", VENDOR = "10de", DEVICE = "0863", CLASS = "0302", NUMA_NODE = "1" ]\n',
  );
  for (const a of extra.attributes()) t.add(a.name, a.value);
  return t;
})();

test('a report with NUMA nodes and PCI devices: topology and devices to the share, measurements to the sample, none in the template', () => {
  const h = host();
  const report = MonitoringReport.fromProbe(h.oid, NUMA_PROBE, 10);
  h.applyReport(report, NONE);
  h.setMonitoring(report.sample);
  for (const name of ['CORE', 'HUGEPAGE', 'MEMORY_NODE', 'PCI']) assert.equal(h.template.has(name), false, name);
  const x = parseXmlTree(h.toXml());
  const share = child(x, 'HOST_SHARE')!;
  assert.deepEqual(share.children.slice(-2).map((c) => c.name), ['PCI_DEVICES', 'NUMA_NODES'], 'after DATASTORES, in this order');
  const nodes = child(share, 'NUMA_NODES')!.children;
  assert.deepEqual(nodes.map((n) => childText(n, 'NODE_ID')), ['0', '1']);
  assert.deepEqual(nodes[0]!.children.map((c) => c.name), ['CORE', 'CORE', 'HUGEPAGE', 'MEMORY', 'NODE_ID']);
  assert.deepEqual(nodes[0]!.children[0]!.children.map((c) => [c.name, c.text]), [['CPUS', '0:-1,2:-1'], ['DEDICATED', 'NO'], ['FREE', '2'], ['ID', '0']]);
  assert.deepEqual(child(nodes[0]!, 'HUGEPAGE')!.children.map((c) => [c.name, c.text]), [['PAGES', '16'], ['SIZE', '2048'], ['USAGE', '0']]);
  assert.deepEqual(child(nodes[0]!, 'MEMORY')!.children.map((c) => [c.name, c.text]), [['DISTANCE', '0 1'], ['TOTAL', '8000000'], ['USAGE', '0']]);
  const pci = child(share, 'PCI_DEVICES')!.children;
  assert.equal(pci.length, 1);
  assert.equal(childText(pci[0]!, 'VMID'), '-1', 'a new device is free');
  // The sample: only the monitor probe's vectors, node by node.
  const sample = parseXmlTree(report.sample.xml);
  const numa = sample.children.filter((c) => c.name === 'NUMA_NODE');
  assert.equal(numa.length, 1, 'node 1 has no measurements');
  assert.deepEqual(numa[0]!.children.map((c) => c.name), ['HUGEPAGE', 'MEMORY', 'NODE_ID']);
  assert.deepEqual(child(numa[0]!, 'HUGEPAGE')!.children.map((c) => [c.name, c.text]), [['FREE', '12'], ['SIZE', '2048']]);
  // New measurements alone leave the body as it is.
  const next = MonitoringReport.fromProbe(h.oid, Template.parse(NUMA_PROBE.toText().replace('FREE="12"', 'FREE="3"').replace('FREE="7000000"', 'FREE="1"')), 11);
  assert.equal(h.reportChangesBody(next), false);
  // Round trip through the stored body.
  assert.equal(Host.fromXml(parseXmlTree(h.toBody())).toBody(), h.toBody());
});

test('hostpool.info lists a host with an empty MONITORING, whatever its latest sample', () => {
  const h = host();
  const report = MonitoringReport.fromProbe(h.oid, PROBE, 10);
  h.applyReport(report, NONE);
  h.setMonitoring(report.sample);
  const listed = h.toEscapedListXml();
  assert.ok(listed.endsWith('&lt;/TEMPLATE&gt;&lt;MONITORING/&gt;&lt;/HOST&gt;'));
  assert.ok(h.toXml().includes('<FREE_CPU>750</FREE_CPU>'), 'host.info shows the sample');
  h.setMonitoring(MonitoringReport.fromProbe(h.oid, PROBE, 11).sample);
  assert.equal(h.toEscapedListXml(), listed, 'a new sample does not change the listing');
  h.changed();
  h.vms.add(5);
  assert.ok(h.toEscapedListXml().includes('&lt;VMS&gt;&lt;ID&gt;5&lt;/ID&gt;&lt;/VMS&gt;'), 'a change of the body does');
});

test('the same report again changes nothing in the body; a different description does', () => {
  const h = host();
  h.applyReport(MonitoringReport.fromProbe(h.oid, PROBE, 1), NONE);
  const body = h.toBody();
  const again = MonitoringReport.fromProbe(h.oid, Template.parse(PROBE.toText().replace('FREECPU="750"', 'FREECPU="10"')), 2);
  assert.equal(h.reportChangesBody(again), false, 'only measurements differ');
  h.setMonitoring(again.sample);
  assert.equal(h.toBody(), body);
  const bigger = MonitoringReport.fromProbe(h.oid, Template.parse(PROBE.toText().replace('TOTALCPU="800"', 'TOTALCPU="1600"')), 3);
  assert.ok(h.reportChangesBody(bigger));
  h.changed();
  h.applyReport(bigger, NONE);
  assert.equal(h.share.maxCpu, 1600);
  h.templateUpdated();
  assert.ok(h.reportChangesBody(bigger), 'after a template update the next report is applied in full');
});

test('a failure: ERROR with the message, kept by DISABLED and OFFLINE; success clears it', () => {
  const h = host();
  h.applyReport(MonitoringReport.fromProbe(h.oid, PROBE, 1), NONE);
  h.recordFailure('ssh: connect to host node-3: No route to host', 100);
  assert.equal(h.state, HostState.ERROR);
  assert.equal(h.prevState, HostState.MONITORED);
  assert.match(h.template.get('ERROR')!, /Error monitoring Host node-3 \(3\): ssh: connect to host node-3: No route to host$/);
  const report = MonitoringReport.fromProbe(h.oid, PROBE, 200);
  assert.ok(h.reportChangesBody(report), 'recovering from ERROR changes the body');
  h.applyReport(report, NONE);
  assert.equal(h.state, HostState.MONITORED);
  assert.equal(h.template.get('ERROR'), undefined);

  h.setStatus(HostStatus.DISABLED);
  h.recordFailure('timeout', 300);
  assert.equal(h.state, HostState.DISABLED, 'a disabled host stays disabled');
  h.applyReport(MonitoringReport.fromProbe(h.oid, PROBE, 400), NONE);
  assert.equal(h.state, HostState.DISABLED, 'and is still monitored');
});

test('status: enable re-initializes (or returns a disabled host with known capacity to MONITORED); offline forgets the capacity', () => {
  const h = host();
  h.setStatus(HostStatus.DISABLED);
  h.setStatus(HostStatus.ENABLED);
  assert.equal(h.state, HostState.INIT, 'never monitored: INIT');
  h.applyReport(MonitoringReport.fromProbe(h.oid, PROBE, 1), NONE);
  h.setStatus(HostStatus.DISABLED);
  h.setStatus(HostStatus.ENABLED);
  assert.equal(h.state, HostState.MONITORED);
  assert.equal(h.prevState, HostState.DISABLED);

  h.template.set('FREECPU', '1');
  h.setStatus(HostStatus.OFFLINE);
  assert.equal(h.state, HostState.OFFLINE);
  assert.deepEqual([h.share.totalCpu, h.share.maxCpu, h.share.totalMem], [0, 0, 0]);
  assert.equal(h.template.get('FREECPU'), undefined);
  assert.equal(h.startMonitoring(10), false, 'an offline host is not monitored');
  const report = MonitoringReport.fromProbe(h.oid, PROBE, 2);
  assert.equal(h.reportChangesBody(report), false);
  h.applyReport(report, NONE);
  assert.equal(h.state, HostState.OFFLINE, 'a late report does not bring it back');
  h.setStatus(HostStatus.ENABLED);
  assert.equal(h.state, HostState.INIT);
  assert.ok(h.startMonitoring(10));
  assert.equal(h.startMonitoring(11), false, 'one round at a time');
});

test('template updates rename the drivers and keep IM_MAD/VM_MAD present; driver names are checked', () => {
  const h = host();
  h.template = Template.parse('VM_MAD = "qemu"\nNOTE = "x"');
  h.templateUpdated();
  assert.deepEqual([h.imMad, h.vmMad], ['kvm', 'qemu']);
  assert.equal(h.template.get('IM_MAD'), 'kvm');
  assert.equal(driverNameError('IM_MAD', ''), 'IM_MAD_NAME cannot be empty.');
  assert.match(driverNameError('VMM_MAD', 'a b')!, /Invalid VMM_MAD/);
  assert.equal(driverNameError('VMM_MAD', 'my-driver_2'), null);
});

test('XML round trip through the stored body', () => {
  const h = host();
  h.applyReport(MonitoringReport.fromProbe(h.oid, PROBE, 1), { cpu: '10%', mem: '' });
  h.vms.add(9).add(4);
  h.setCluster(100, 'prod');
  h.changed();
  const back = Host.fromXml(parseXmlTree(h.toBody()));
  assert.equal(back.toBody(), h.toBody());
  assert.deepEqual(back.clusterIds, [100]);
  assert.ok(back.toBody().includes('<VMS><ID>4</ID><ID>9</ID></VMS>'));
  assert.deepEqual(back.toRow().state, HostState.MONITORED);
  assert.deepEqual(back.toRow().cid, 100);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { HostShare, reservedMax } from './host-share.js';
import { NumaCore } from './host-share-numa.js';
import { HostPci } from './host-share-pci.js';

test('reserved capacity: an amount, a percentage, nothing, over-commit, and text that reserves nothing', () => {
  assert.equal(reservedMax(800, ''), 800);
  assert.equal(reservedMax(800, '200'), 600);
  assert.equal(reservedMax(800, ' 200 '), 600);
  assert.equal(reservedMax(800, '-400'), 1200, 'a negative amount over-commits');
  assert.equal(reservedMax(800, '10%'), 720);
  assert.equal(reservedMax(1000, '33%'), 669, 'double arithmetic truncated, exactly as OpenNebula computes it');
  assert.equal(reservedMax(999, '50%'), 499, 'truncated, as OpenNebula stores integers');
  assert.equal(reservedMax(800, '1.5'), 800);
  assert.equal(reservedMax(800, 'lots'), 800);
});

test('totals set the maxima through the reservation; VMs add and release usage', () => {
  const share = new HostShare();
  share.setTotals(800, 16_000_000, { cpu: '100', mem: '25%' });
  assert.deepEqual([share.totalCpu, share.maxCpu, share.totalMem, share.maxMem], [800, 700, 16_000_000, 12_000_000]);
  share.add({ cpu: 150, mem: 1_048_576 });
  share.add({ cpu: 50, mem: 524_288 });
  assert.deepEqual([share.cpuUsage, share.memUsage, share.runningVms], [200, 1_572_864, 2]);
  share.remove({ cpu: 150, mem: 1_048_576 });
  assert.deepEqual([share.cpuUsage, share.memUsage, share.runningVms], [50, 524_288, 1]);
  assert.deepEqual(share.maxFor({ cpu: '', mem: '' }), { cpu: 800, mem: 16_000_000 });
  share.applyReserved({ cpu: '', mem: '' });
  assert.deepEqual([share.maxCpu, share.maxMem], [800, 16_000_000]);
  share.resetCapacity();
  assert.deepEqual([share.totalCpu, share.maxCpu, share.totalMem, share.maxMem, share.cpuUsage], [0, 0, 0, 0, 50], 'usage stays accounted');
});

test('XML in OpenNebula element order, and back', () => {
  const share = new HostShare();
  share.setTotals(400, 8192, { cpu: '', mem: '' });
  share.add({ cpu: 100, mem: 1024 });
  share.disk = { max: 1000, free: 600, used: 400, ds: [new Map([['ID', '0'], ['TOTAL_MB', '1000'], ['FREE_MB', '600'], ['USED_MB', '400']])] };
  const xml = share.toXml();
  assert.equal(
    xml,
    '<HOST_SHARE><MEM_USAGE>1024</MEM_USAGE><CPU_USAGE>100</CPU_USAGE><TOTAL_MEM>8192</TOTAL_MEM><TOTAL_CPU>400</TOTAL_CPU>' +
      '<MAX_MEM>8192</MAX_MEM><MAX_CPU>400</MAX_CPU><RUNNING_VMS>1</RUNNING_VMS><VMS_THREAD>1</VMS_THREAD>' +
      '<DATASTORES><DISK_USAGE>0</DISK_USAGE><DS><FREE_MB>600</FREE_MB><ID>0</ID><TOTAL_MB>1000</TOTAL_MB><USED_MB>400</USED_MB></DS>' +
      '<FREE_DISK>600</FREE_DISK><MAX_DISK>1000</MAX_DISK><USED_DISK>400</USED_DISK></DATASTORES><PCI_DEVICES/><NUMA_NODES/></HOST_SHARE>',
  );
  assert.equal(HostShare.fromXml(parseXmlTree(xml)).toXml(), xml);
});

test('NUMA cores: CPUS with pinned VMs, reserved and free CPUs; FREE counts VM threads per CPU', () => {
  const core = NumaCore.parse(3, '3:-1,19:7,35:-2,51:7,51:9');
  assert.equal(core.cpusText(), '3:-1,19:7,35:-2,51:7,51:9');
  assert.equal(core.free(1), 0, 'three CPUs not reserved, three placements');
  assert.equal(core.free(2), 3, 'two VM threads per CPU');
  assert.equal(NumaCore.parse(0, '16,0').cpusText(), '0:-1,16:-1', "a probe's plain list, in CPU order");
  const dedicated = NumaCore.parse(1, '1:4,17:-1', true);
  assert.equal(dedicated.free(4), 0);
  assert.match(dedicated.toXml(1), /<DEDICATED>YES<\/DEDICATED><FREE>0<\/FREE>/);
});

test('NUMA topology: a new report adds cores and page sizes and refreshes totals, keeping what VMs hold', () => {
  const share = new HostShare();
  const probe = (text: string) => Template.parse(text);
  share.numa.applyProbe(
    probe(
      'CORE = [ NODE_ID = 1, ID = 1, CPUS = "1,3" ]\nCORE = [ NODE_ID = 0, ID = 0, CPUS = "0,2" ]\nCORE = [ ID = 5, CPUS = "5" ]\n' +
        'HUGEPAGE = [ NODE_ID = 0, SIZE = 1048576, PAGES = 4 ]\nHUGEPAGE = [ NODE_ID = 0, SIZE = 2048, PAGES = 8 ]\n' +
        'MEMORY_NODE = [ NODE_ID = 0, TOTAL = 1000, DISTANCE = "0 1 " ]',
    ),
  );
  assert.deepEqual(share.numa.sortedNodes().map((n) => n.id), [0, 1], 'a vector without NODE_ID is ignored');
  // A VM pinned on node 0, its memory and huge pages taken (as a stored share would hold them).
  const stored = HostShare.fromXml(parseXmlTree(share.toXml().replace('<CPUS>0:-1,2:-1</CPUS>', '<CPUS>0:6,2:-1</CPUS>').replace('<USAGE>0</USAGE></MEMORY>', '<USAGE>600</USAGE></MEMORY>')));
  stored.numa.nodes.get(0)!.pages.get(2048)!.usage = 2;
  stored.numa.applyProbe(
    probe(
      'CORE = [ NODE_ID = 0, ID = 0, CPUS = "0,2" ]\nCORE = [ NODE_ID = 0, ID = 4, CPUS = "4,6" ]\n' +
        'HUGEPAGE = [ NODE_ID = 0, SIZE = 2048, PAGES = 16 ]\nMEMORY_NODE = [ NODE_ID = 0, TOTAL = 2000, DISTANCE = "0 1" ]',
    ),
  );
  const node = stored.numa.nodes.get(0)!;
  assert.deepEqual(node.sortedCores().map((c) => [c.id, c.cpusText()]), [[0, '0:6,2:-1'], [4, '4:-1,6:-1']]);
  assert.deepEqual(node.pages.get(2048), { pages: 16, usage: 2 });
  assert.deepEqual(node.memory, { total: 2000, usage: 600, distance: [0, 1] });
  const xml = stored.toXml();
  assert.match(xml, /<NUMA_NODES><NODE><CORE><CPUS>0:6,2:-1<\/CPUS><DEDICATED>NO<\/DEDICATED><FREE>1<\/FREE><ID>0<\/ID><\/CORE><CORE>/);
  assert.match(xml, /<HUGEPAGE><PAGES>16<\/PAGES><SIZE>2048<\/SIZE><USAGE>2<\/USAGE><\/HUGEPAGE><HUGEPAGE><PAGES>4<\/PAGES><SIZE>1048576<\/SIZE>/, 'page sizes in order');
  assert.match(xml, /<MEMORY><DISTANCE>0 1<\/DISTANCE><TOTAL>2000<\/TOTAL><USAGE>600<\/USAGE><\/MEMORY><NODE_ID>0<\/NODE_ID><\/NODE>/);
  assert.equal(HostShare.fromXml(parseXmlTree(xml)).toXml(), xml);
});

test('PCI devices: new ones free (VMID -1), known ones kept, free ones the probe no longer lists dropped, held ones kept', () => {
  const pci = new HostPci();
  const probe = (...addresses: string[]) =>
    Template.parse(addresses.map((a) => `PCI = [ ADDRESS = "${a}", VENDOR = "10de", SHORT_ADDRESS = "x", CLASS = "0300" ]`).join('\n') + '\nPCI = [ VENDOR = "1" ]');
  pci.applyProbe(probe('0000:02:00:0', '0000:00:06:0', '0000:00:06:1'));
  assert.deepEqual([...pci.devices.keys()], ['0000:02:00:0', '0000:00:06:0', '0000:00:06:1'], 'in the order found; no ADDRESS, no device');
  assert.equal(pci.vmOf('0000:02:00:0'), -1);
  pci.devices.get('0000:00:06:0')!.set('VMID', '12');
  pci.applyProbe(probe('0000:02:00:0', '0000:81:00:0'));
  assert.deepEqual([...pci.devices.keys()], ['0000:02:00:0', '0000:00:06:0', '0000:81:00:0']);
  assert.equal(pci.vmOf('0000:00:06:0'), 12, 'a device a VM holds stays');
  assert.equal(pci.vmOf('nowhere'), undefined);
  const xml = pci.toXml();
  assert.ok(xml.startsWith('<PCI_DEVICES><PCI><ADDRESS>0000:02:00:0</ADDRESS><CLASS>0300</CLASS><SHORT_ADDRESS>x</SHORT_ADDRESS><VENDOR>10de</VENDOR><VMID>-1</VMID></PCI>'), 'attributes by name');
  assert.equal(HostPci.fromXml(parseXmlTree(xml)).toXml(), xml);
  assert.equal(new HostPci().toXml(), '<PCI_DEVICES/>');
  // The XML is kept between changes; holding, releasing and probing render it again.
  pci.hold('0000:02:00:0', 7);
  assert.match(pci.toXml(), /<ADDRESS>0000:02:00:0<\/ADDRESS>.*?<VMID>7<\/VMID>/);
  pci.release(7);
  assert.equal(pci.toXml(), xml);
  pci.applyProbe(probe('0000:02:00:0'));
  assert.doesNotMatch(pci.toXml(), /0000:81:00:0/);
});

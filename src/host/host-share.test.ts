import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { HostShare, reservedMax } from './host-share.js';

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

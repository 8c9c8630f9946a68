import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host, parsePool } from '../../oca/index.js';
import { tableLines } from '../output.js';
import { parseXmlTree } from '../../common/xml-tree.js';
import { HOST_COLUMNS, hostStateName, hostStateShort, numaLines, pciLines } from './onehost.js';

const POOL =
  '<HOST_POOL><HOST><ID>7</ID><NAME>node07</NAME><STATE>2</STATE><IM_MAD>kvm</IM_MAD><VM_MAD>kvm</VM_MAD><CLUSTER_ID>-1</CLUSTER_ID><CLUSTER></CLUSTER>' +
  '<HOST_SHARE><MEM_USAGE>2097152</MEM_USAGE><CPU_USAGE>100</CPU_USAGE><MAX_MEM>8388608</MAX_MEM><MAX_CPU>400</MAX_CPU><RUNNING_VMS>3</RUNNING_VMS></HOST_SHARE></HOST></HOST_POOL>';

test('onehost list: allocation as used / max (percent), state abbreviations, fits 80 columns', () => {
  const hosts = parsePool(Host, 'HOST', POOL);
  const lines = tableLines(HOST_COLUMNS.filter((c) => c.default !== false), hosts);
  assert.deepEqual(lines, [
    '  ID NAME            CLUSTER   TVM      ALLOCATED_CPU      ALLOCATED_MEM STAT',
    '   7 node07          -           3    100 / 400 (25%)      2G / 8G (25%) on',
  ]);
  assert.ok(lines.every((l) => l.length <= 80));
  assert.deepEqual([0, 2, 3, 4, 8].map(hostStateShort), ['init', 'on', 'err', 'dsbl', 'off']);
  assert.equal(hostStateName(8), 'OFFLINE');
  assert.equal(hostStateName(42), 'UNKNOWN (42)');
});

test('onehost show: PCI devices with the VM holding them, NUMA cores, memory and huge pages (allocated and measured)', () => {
  const xml =
    '<HOST><ID>0</ID><HOST_SHARE><PCI_DEVICES><PCI><DEVICE_NAME>C79 [GeForce 9400M]</DEVICE_NAME><SHORT_ADDRESS>02:00.0</SHORT_ADDRESS><TYPE>10de:0863:0302</TYPE><VMID>-1</VMID></PCI>' +
    '<PCI><DEVICE_NAME>MCP79 USB</DEVICE_NAME><SHORT_ADDRESS>00:06.0</SHORT_ADDRESS><TYPE>1b21:0aa7:0c03</TYPE><VMID>12</VMID></PCI></PCI_DEVICES>' +
    '<NUMA_NODES><NODE><CORE><CPUS>0:5,2:-1</CPUS><DEDICATED>NO</DEDICATED><FREE>1</FREE><ID>0</ID></CORE><CORE><CPUS>1:-2,3:-1</CPUS><DEDICATED>NO</DEDICATED><FREE>1</FREE><ID>1</ID></CORE>' +
    '<HUGEPAGE><PAGES>1024</PAGES><SIZE>2048</SIZE><USAGE>2</USAGE></HUGEPAGE><MEMORY><DISTANCE>0</DISTANCE><TOTAL>8388608</TOTAL><USAGE>1048576</USAGE></MEMORY><NODE_ID>0</NODE_ID></NODE></NUMA_NODES></HOST_SHARE>' +
    '<MONITORING><NUMA_NODE><HUGEPAGE><FREE>1000</FREE><SIZE>2048</SIZE></HUGEPAGE><MEMORY><FREE>4194304</FREE><USED>2097152</USED></MEMORY><NODE_ID>0</NODE_ID></NUMA_NODE></MONITORING></HOST>';
  const h = new Host(parseXmlTree(xml), xml);
  assert.deepEqual(pciLines(h).slice(1), [
    'PCI DEVICES',
    '',
    '   VM ADDR    TYPE           NAME',
    '      02:00.0 10de:0863:0302 C79 [GeForce 9400M]',
    '   12 00:06.0 1b21:0aa7:0c03 MCP79 USB',
  ]);
  assert.deepEqual(numaLines(h).filter((l) => l !== ''), [
    'NUMA NODES',
    ' ID CORES  USED FREE',
    '  0 X- r-     1 2',
    'NUMA MEMORY',
    'NODE_ID TOTAL    USED_REAL  USED_ALLOCATED  FREE',
    '      0 8G       2G         1G              4G',
    'NUMA HUGEPAGES',
    'NODE_ID SIZE     TOTAL    FREE     USED',
    '      0 2M       1024     1000     2',
  ]);
  const bare = new Host(parseXmlTree('<HOST><ID>1</ID><HOST_SHARE><PCI_DEVICES/><NUMA_NODES/></HOST_SHARE></HOST>'), '');
  assert.deepEqual([pciLines(bare), numaLines(bare)], [[], []], 'nothing shown for a host without them');
});

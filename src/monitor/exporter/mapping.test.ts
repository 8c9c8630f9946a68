import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { datastoreFamilies, hostFamilies, serverFamilies, vmFamilies } from './mapping.js';
import type { GaugeFamily } from './exposition.js';

/** The exposition text of the families. */
const text = (families: GaugeFamily[]) => families.map((f) => f.render()).join('');
/** The sample lines of the families (no HELP / TYPE). */
const samples = (families: GaugeFamily[]) => text(families).split('\n').filter((l) => l !== '' && !l.startsWith('#'));

const HOSTS =
  '<HOST_POOL>' +
  '<HOST><ID>0</ID><NAME>a</NAME><STATE>2</STATE><HOST_SHARE><MEM_USAGE>1048576</MEM_USAGE><CPU_USAGE>150</CPU_USAGE>' +
  '<TOTAL_MEM>16777216</TOTAL_MEM><TOTAL_CPU>800</TOTAL_CPU><MAX_MEM>33554432</MAX_MEM><MAX_CPU>1600</MAX_CPU></HOST_SHARE>' +
  '<VMS><ID>3</ID><ID>7</ID></VMS><TEMPLATE><ERROR><![CDATA[no </HOST> here]]></ERROR></TEMPLATE></HOST>' +
  '<HOST><ID>12</ID><NAME>b</NAME><STATE>3</STATE><HOST_SHARE><MEM_USAGE>0</MEM_USAGE><CPU_USAGE>0</CPU_USAGE>' +
  '<TOTAL_MEM>0</TOTAL_MEM><TOTAL_CPU>0</TOTAL_CPU><MAX_MEM>0</MAX_MEM><MAX_CPU>0</MAX_CPU></HOST_SHARE><VMS/></HOST>' +
  '</HOST_POOL>';

describe('host families', () => {
  test("OpenNebula's names, one_host_id labels, memory in bytes, CPU in its units, VM counts", () => {
    const f = hostFamilies(HOSTS);
    assert.deepEqual(
      f.map((x) => x.spec.name),
      ['host_total', 'host_state', 'host_mem_total_bytes', 'host_mem_maximum_bytes', 'host_mem_usage_bytes', 'host_cpu_total_ratio', 'host_cpu_maximum_ratio', 'host_cpu_usage_ratio', 'host_vms'].map((n) => `opennebula_${n}`),
    );
    const s = samples(f);
    for (const line of [
      'opennebula_host_total 2',
      'opennebula_host_state{one_host_id="0"} 2',
      'opennebula_host_state{one_host_id="12"} 3',
      `opennebula_host_mem_total_bytes{one_host_id="0"} ${16 * 1024 ** 3}`,
      `opennebula_host_mem_maximum_bytes{one_host_id="0"} ${32 * 1024 ** 3}`,
      `opennebula_host_mem_usage_bytes{one_host_id="0"} ${1024 ** 3}`,
      'opennebula_host_cpu_total_ratio{one_host_id="0"} 800',
      'opennebula_host_cpu_maximum_ratio{one_host_id="0"} 1600',
      'opennebula_host_cpu_usage_ratio{one_host_id="0"} 150',
      'opennebula_host_vms{one_host_id="0"} 2',
      'opennebula_host_vms{one_host_id="12"} 0',
    ])
      assert.ok(s.includes(line), `${line} in\n${s.join('\n')}`);
    assert.equal(s.length, 1 + 8 * 2);
  });

  test("a host's PCI devices, NUMA nodes, template and monitoring are passed over, even with a CDATA end tag inside", () => {
    const host = (id: number, extra: string) =>
      `<HOST><ID>${id}</ID><STATE>2</STATE><HOST_SHARE><MEM_USAGE>0</MEM_USAGE><CPU_USAGE>100</CPU_USAGE><TOTAL_MEM>1024</TOTAL_MEM>` +
      `<TOTAL_CPU>400</TOTAL_CPU><MAX_MEM>1024</MAX_MEM><MAX_CPU>400</MAX_CPU><PCI_DEVICES><PCI><VMID>-1</VMID><STATE>9</STATE></PCI></PCI_DEVICES>` +
      `<NUMA_NODES><NODE><CORE><ID>0</ID><CPUS>0:-1</CPUS></CORE><MEMORY><TOTAL>1</TOTAL></MEMORY></NODE></NUMA_NODES></HOST_SHARE>` +
      `<VMS><ID>1</ID></VMS><TEMPLATE>${extra}</TEMPLATE><MONITORING><TIMESTAMP>1</TIMESTAMP></MONITORING></HOST>`;
    for (const extra of ['<HOSTNAME>a</HOSTNAME>', '<NOTE><![CDATA[</TEMPLATE><STATE>7</STATE>]]></NOTE>']) {
      const s = samples(hostFamilies(`<HOST_POOL>${host(3, extra)}${host(4, '')}</HOST_POOL>`));
      for (const id of [3, 4]) {
        assert.ok(s.includes(`opennebula_host_state{one_host_id="${id}"} 2`), s.join('\n'));
        assert.ok(s.includes(`opennebula_host_cpu_usage_ratio{one_host_id="${id}"} 100`));
        assert.ok(s.includes(`opennebula_host_vms{one_host_id="${id}"} 1`));
      }
      assert.equal(s.length, 1 + 8 * 2);
    }
  });

  test('every family says its HELP and TYPE gauge, also without samples', () => {
    const t = text(hostFamilies('<HOST_POOL></HOST_POOL>'));
    assert.match(t, /^# HELP opennebula_host_state Host state 0:init 2:monitored 3:error 4:disabled 8:offline\n# TYPE opennebula_host_state gauge\n/m);
    assert.match(t, /^opennebula_host_total 0$/m);
    assert.doesNotMatch(t, /one_host_id/);
  });
});

describe('datastore families', () => {
  test('capacity in bytes from the MB oned lists, images counted', () => {
    const s = samples(
      datastoreFamilies(
        '<DATASTORE_POOL><DATASTORE><ID>1</ID><TOTAL_MB>1000</TOTAL_MB><FREE_MB>250</FREE_MB><USED_MB>750</USED_MB><IMAGES><ID>4</ID><ID>5</ID><ID>9</ID></IMAGES></DATASTORE>' +
          '<DATASTORE><ID>0</ID><TOTAL_MB>0</TOTAL_MB><FREE_MB>0</FREE_MB><USED_MB>0</USED_MB><IMAGES/></DATASTORE></DATASTORE_POOL>',
      ),
    );
    for (const line of [
      'opennebula_datastore_total 2',
      `opennebula_datastore_total_bytes{one_datastore_id="1"} ${1000 * 1024 * 1024}`,
      `opennebula_datastore_used_bytes{one_datastore_id="1"} ${750 * 1024 * 1024}`,
      `opennebula_datastore_free_bytes{one_datastore_id="1"} ${250 * 1024 * 1024}`,
      'opennebula_datastore_images{one_datastore_id="1"} 3',
      'opennebula_datastore_images{one_datastore_id="0"} 0',
    ])
      assert.ok(s.includes(line), `${line} in\n${s.join('\n')}`);
  });
});

/** A VM of the short listing. */
function vm(id: number, body: string): string {
  return `<VM><ID>${id}</ID><NAME>vm${id}</NAME>${body}</VM>`;
}

describe('VM families', () => {
  const xml =
    '<VM_POOL>' +
    vm(
      5,
      '<STATE>3</STATE><LCM_STATE>36</LCM_STATE><TEMPLATE><CPU>0.5</CPU><MEMORY>512</MEMORY><VCPU>4</VCPU>' +
        '<DISK><DISK_ID>0</DISK_ID><SIZE>2048</SIZE></DISK><DISK><DISK_ID>1</DISK_ID><SIZE>10</SIZE></DISK>' +
        '<NIC><NIC_ID>0</NIC_ID></NIC><NIC><NIC_ID>1</NIC_ID></NIC><PCI><NIC_ID>2</NIC_ID></PCI><PCI><DEVICE>0863</DEVICE></PCI></TEMPLATE>' +
        '<MONITORING><CPU>99</CPU><MEMORY>1</MEMORY></MONITORING>' +
        '<HISTORY_RECORDS><HISTORY><SEQ>0</SEQ><HID>2</HID></HISTORY><HISTORY><SEQ>1</SEQ><HID>7</HID></HISTORY></HISTORY_RECORDS>',
    ) +
    vm(6, '<STATE>1</STATE><LCM_STATE>0</LCM_STATE><TEMPLATE><CPU>1</CPU><MEMORY>128</MEMORY><VCPU></VCPU></TEMPLATE><HISTORY_RECORDS/>') +
    '</VM_POOL>';

  test('states, host of the last history record, template sizes (not monitoring), disks and NICs', () => {
    const s = samples(vmFamilies(xml));
    for (const line of [
      'opennebula_vm_total 2',
      'opennebula_vm_host_id{one_vm_id="5"} 7',
      'opennebula_vm_host_id{one_vm_id="6"} -1',
      'opennebula_vm_state{one_vm_id="5"} 3',
      'opennebula_vm_lcm_state{one_vm_id="5"} 36',
      'opennebula_vm_state{one_vm_id="6"} 1',
      `opennebula_vm_mem_total_bytes{one_vm_id="5"} ${512 * 1024 * 1024}`,
      'opennebula_vm_cpu_ratio{one_vm_id="5"} 0.5',
      'opennebula_vm_cpu_vcpus{one_vm_id="5"} 4',
      'opennebula_vm_cpu_vcpus{one_vm_id="6"} 1',
      'opennebula_vm_disks{one_vm_id="5"} 2',
      'opennebula_vm_disks{one_vm_id="6"} 0',
      `opennebula_vm_disk_size_bytes{one_vm_id="5",disk_id="0"} ${2048 * 1024 * 1024}`,
      `opennebula_vm_disk_size_bytes{one_vm_id="5",disk_id="1"} ${10 * 1024 * 1024}`,
      'opennebula_vm_nics{one_vm_id="5"} 3',
      'opennebula_vm_nics{one_vm_id="6"} 0',
    ])
      assert.ok(s.includes(line), `${line} in\n${s.join('\n')}`);
  });

  test('an attribute missing from a VM leaves its sample out, not a NaN', () => {
    const s = samples(vmFamilies(`<VM_POOL>${vm(1, '<STATE>1</STATE><LCM_STATE>0</LCM_STATE><TEMPLATE><CPU>1</CPU></TEMPLATE>')}</VM_POOL>`));
    assert.ok(!s.some((l) => l.startsWith('opennebula_vm_mem_total_bytes')), s.join('\n'));
    assert.ok(!s.some((l) => /NaN/.test(l)));
  });

  test('a <VM> inside CDATA text does not cut the listing wrong: the document is read whole', () => {
    const tricky = `<VM_POOL>${vm(1, '<STATE>3</STATE><LCM_STATE>3</LCM_STATE><USER_TEMPLATE><LABELS><![CDATA[a</VM><VM>b]]></LABELS></USER_TEMPLATE>')}${vm(2, '<STATE>8</STATE><LCM_STATE>0</LCM_STATE>')}</VM_POOL>`;
    const s = samples(vmFamilies(tricky));
    assert.ok(s.includes('opennebula_vm_total 2'), s.join('\n'));
    assert.ok(s.includes('opennebula_vm_state{one_vm_id="1"} 3'));
    assert.ok(s.includes('opennebula_vm_state{one_vm_id="2"} 8'));
  });

  test('a VM nested in another element of a member is not taken for a member', () => {
    const s = samples(vmFamilies(`<VM_POOL>${vm(1, '<STATE>3</STATE><LCM_STATE>3</LCM_STATE><X><VM><ID>99</ID><STATE>1</STATE></VM></X>')}</VM_POOL>`));
    assert.ok(s.includes('opennebula_vm_total 1'), s.join('\n'));
    assert.ok(!s.some((l) => l.includes('"99"')));
  });
});

describe('service families', () => {
  test('oned, scheduler, Flow and the hook manager (part of oned) by server FQDN', () => {
    const s = samples(serverFamilies('front.example.org', { oned: true, scheduler: false, flow: true }));
    assert.deepEqual(s, [
      'opennebula_oned_state{one_server_fqdn="front.example.org"} 1',
      'opennebula_scheduler_state{one_server_fqdn="front.example.org"} 0',
      'opennebula_flow_state{one_server_fqdn="front.example.org"} 1',
      'opennebula_hem_state{one_server_fqdn="front.example.org"} 1',
    ]);
    assert.equal(samples(serverFamilies('f', { oned: false, scheduler: true, flow: false }))[3], 'opennebula_hem_state{one_server_fqdn="f"} 0');
  });
});

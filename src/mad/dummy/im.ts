/**
 * The dummy information driver (`one_im_dummy`): `MONITOR <host_id> <hostname> ...` answers a
 * monitoring template, base64-encoded, describing an idle host of configurable capacity
 * (`-c` CPU in OpenNebula units, 100 per core; `-m` memory in MB) with what OpenNebula 7.4's
 * dummy probes describe besides: NUMA nodes (`-n` layout), PCI devices, KVM CPU models and
 * features, so NUMA- and PCI-aware code can be tried on dummy hosts.
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptedResults } from './scripted-results.js';

export interface DummyCapacity {
  /** TOTALCPU: 100 per core. */
  readonly cpu: number;
  readonly memoryMb: number;
  /** Percent of the CPU reported busy (USEDCPU / FREECPU): a loaded host, for load-aware tests. */
  readonly usedPercent?: number;
  /** Attributes reported besides (or instead of) the dummy's own: `CPUSPEED=3000`, `HYPERVISOR=kvm`. */
  readonly extra?: ReadonlyMap<string, string>;
  /** The NUMA layout reported (default: DEFAULT_DUMMY_TOPOLOGY). */
  readonly topology?: DummyTopology;
}

export const DEFAULT_DUMMY_CAPACITY: DummyCapacity = { cpu: 800, memoryMb: 16384 };

/** `-e "CPUSPEED=3000,HYPERVISOR=kvm"` → its attributes. @throws Error on a pair without `=` or a bad name. */
export function parseExtraAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim().toUpperCase() : '';
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`-e: "${pair}" is not ATTRIBUTE=VALUE`);
    out.set(name, pair.slice(eq + 1).trim());
  }
  return out;
}

/** Capacity the dummy reports for the host's local datastore location. */
const DS_LOCATION_MB = 1048576;

/** A NUMA layout: nodes, cores per node, hardware threads per core. */
export interface DummyTopology {
  readonly nodes: number;
  readonly cores: number;
  readonly threads: number;
}

/** OpenNebula 7.4's dummy layout: two nodes of eight cores, four threads each. */
export const DEFAULT_DUMMY_TOPOLOGY: DummyTopology = { nodes: 2, cores: 8, threads: 4 };

/** `-n 2:8:4` → its topology. @throws Error unless three integers >= 1. */
export function parseTopology(text: string): DummyTopology {
  const parts = text.split(':').map((p) => p.trim());
  const [nodes, cores, threads] = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
  if (parts.length !== 3 || !nodes || !cores || !threads) throw new Error(`-n expects NODES:CORES:THREADS (integers >= 1), got '${text}'`);
  return { nodes, cores, threads };
}

/** Huge page sizes (KB) on every node, 1024 pages each: 2 MB and 1 GB. */
const HUGEPAGE_SIZES = [2048, 1048576];
const HUGEPAGES_PER_SIZE = 1024;

const CPU_MODELS =
  '486 pentium pentium2 pentium3 pentiumpro coreduo n270 core2duo qemu32 kvm32 cpu64-rhel5 cpu64-rhel6 kvm64 Conroe Penryn Nehalem ' +
  'Nehalem-IBRS Westmere Westmere-IBRS SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS SapphireRapids SapphireRapids-noTSX Opteron_G1';
const CPU_FEATURES = [
  'vme', 'ds', 'acpi', 'ss', 'ht', 'tm', 'pbe', 'dtes64', 'monitor', 'ds_cpl', 'vmx', 'smx', 'est', 'tm2', 'xtpr', 'pdcm', 'osxsave',
  'f16c', 'rdrand', 'arat', 'tsc_adjust', 'clflushopt', 'clwb', 'intel-pt', 'sha-ni', 'umip', 'pku', 'ospke', 'waitpkg', 'gfni', 'vaes',
  'vpclmulqdq', 'rdpid', 'movdiri', 'movdir64b', 'pks', 'fsrm', 'md-clear', 'serialize', 'arch-lbr', 'stibp', 'arch-capabilities',
  'core-capability', 'ssbd', 'avx-vnni', 'xsaveopt', 'xsavec', 'xgetbv1', 'xsaves', 'pdpe1gb', 'abm', 'invtsc', 'rdctl-no', 'ibrs-all',
  'skip-l1dfl-vmentry', 'mds-no', 'pschange-mc-no',
].join(',');

/** A PCI device the dummy host has: where it sits and what it is. */
interface DummyPci {
  readonly bus: string;
  readonly slot: string;
  readonly fn: number;
  readonly vendor: string;
  readonly vendorName: string;
  readonly device: string;
  readonly deviceName: string;
  readonly cls: string;
  readonly className: string;
  readonly numa: number;
  readonly ifname?: string;
  /** 'pf' (with its number of virtual functions) or 'vf'; 'no' when absent. */
  readonly sriov?: 'pf' | 'vf';
  readonly sriovNum?: number;
  readonly profiles?: string;
}

/** The vGPU profiles the dummy GPU offers (mediated devices), numbered from 1145. */
const GPU_PROFILES = ['1B', '2B', '1Q', '2Q', '3Q', '4Q', '6Q', '8Q', '12Q', '16Q', '24Q', '48Q', '1A', '2A', '3A', '4A', '6A', '8A', '12A', '16A', '24A', '48A']
  .map((p, i) => `${1145 + i} (NVIDIA L40S-${p})`)
  .join(',');

/**
 * The dummy host's PCI devices, those of OpenNebula 7.4's dummy: a GPU with vGPU profiles, two
 * USB controllers, a NIC, and a dual-port SR-IOV NIC with sixteen virtual functions.
 */
const PCI_DEVICES: readonly DummyPci[] = (() => {
  const eth = { cls: '0200', className: 'Ethernet controller' };
  const mlx = { vendor: '15b3', vendorName: 'Mellanox Technologies', numa: 0, bus: '81', ...eth };
  const devices: DummyPci[] = [
    { bus: '02', slot: '00', fn: 0, vendor: '10de', vendorName: 'NVIDIA Corporation', device: '0863', deviceName: 'C79 [GeForce 9400M]', cls: '0302', className: '3D controller', numa: 1, profiles: GPU_PROFILES },
    { bus: '00', slot: '06', fn: 0, vendor: '1b21', vendorName: 'ASMedia Technology Inc.', device: '0aa7', deviceName: 'MCP79 OHCI USB 1.1 Controller', cls: '0c03', className: 'USB controller', numa: 1 },
    { bus: '00', slot: '06', fn: 1, vendor: '1022', vendorName: 'Advanced Micro Devices, Inc.', device: '0aa9', deviceName: 'MCP79 EHCI USB 2.0 Controller', cls: '0c03', className: 'USB controller', numa: 0 },
    { bus: '04', slot: '00', fn: 1, vendor: '14e4', vendorName: 'Broadcom Inc. and subsidiaries', device: '165f', deviceName: 'NetXtreme BCM5720 Gigabit Ethernet PCIe', numa: 0, ifname: 'eno8403', ...eth },
  ];
  for (const fn of [0, 1]) devices.push({ ...mlx, slot: '00', fn, device: '1015', deviceName: 'MT27710 Family [ConnectX-4 Lx]', ifname: `pf${fn}`, sriov: 'pf', sriovNum: 8 });
  for (let n = 2; n < 18; n++) {
    const slot = `0${Math.floor(n / 8)}`;
    const fn = n % 8;
    devices.push({ ...mlx, slot, fn, device: '1016', deviceName: 'MT27710 Family [ConnectX-4 Lx Virtual Function]', ifname: `vf${slot}${fn}`, sriov: 'vf' });
  }
  return devices;
})();

/** A template vector, every value quoted. */
function vector(name: string, pairs: readonly (readonly [string, string | number])[]): string {
  return `${name} = [ ${pairs.map(([k, v]) => `${k} = "${String(v).replace(/[\\"]/g, '\\$&')}"`).join(', ')} ]\n`;
}

/** The system probe's description of the NUMA topology: CORE, HUGEPAGE (PAGES) and MEMORY_NODE (TOTAL, DISTANCE). */
function topologyText(t: DummyTopology, memKb: number): string {
  let text = '';
  const nodeMem = Math.floor(memKb / t.nodes);
  for (let node = 0; node < t.nodes; node++) {
    for (let c = 0; c < t.cores; c++) {
      const core = node * t.cores + c;
      const cpus = Array.from({ length: t.threads }, (_, k) => core + k * t.cores * t.nodes);
      text += vector('CORE', [['NODE_ID', node], ['ID', core], ['CPUS', cpus.join(',')]]);
    }
    for (const size of HUGEPAGE_SIZES) text += vector('HUGEPAGE', [['NODE_ID', node], ['SIZE', size], ['PAGES', HUGEPAGES_PER_SIZE]]);
    // Nearest first: the node itself, then the others in order.
    const distance = [node, ...Array.from({ length: t.nodes }, (_, i) => i).filter((i) => i !== node)];
    text += vector('MEMORY_NODE', [['NODE_ID', node], ['TOTAL', nodeMem], ['DISTANCE', distance.join(' ')]]);
  }
  return text;
}

/** The monitor probe's NUMA measurements: free huge pages, free and used memory per node (an idle host). */
function numaUsageText(t: DummyTopology, memKb: number): string {
  let text = '';
  const nodeMem = Math.floor(memKb / t.nodes);
  for (let node = 0; node < t.nodes; node++) {
    for (const size of HUGEPAGE_SIZES) text += vector('HUGEPAGE', [['NODE_ID', node], ['SIZE', size], ['FREE', HUGEPAGES_PER_SIZE]]);
    text += vector('MEMORY_NODE', [['NODE_ID', node], ['FREE', nodeMem], ['USED', 0]]);
  }
  return text;
}

function pciText(): string {
  let text = '';
  for (const d of PCI_DEVICES) {
    const pairs: [string, string | number][] = [
      ['ADDRESS', `0000:${d.bus}:${d.slot}:${d.fn}`],
      ['BUS', d.bus],
      ['SLOT', d.slot],
      ['FUNCTION', d.fn],
      ['DOMAIN', '0000'],
      ['SHORT_ADDRESS', `${d.bus}:${d.slot}.${d.fn}`],
      ['VENDOR', d.vendor],
      ['VENDOR_NAME', d.vendorName],
      ['DEVICE', d.device],
      ['DEVICE_NAME', d.deviceName],
      ['CLASS', d.cls],
      ['CLASS_NAME', d.className],
      ['TYPE', `${d.vendor}:${d.device}:${d.cls}`],
      ['NUMA_NODE', d.numa],
      ['IFNAME', d.ifname ?? '-'],
      ['SRIOV', d.sriov ?? 'no'],
    ];
    if (d.sriovNum !== undefined) pairs.push(['SRIOV_NUM', d.sriovNum]);
    if (d.profiles !== undefined) pairs.push(['PROFILES', d.profiles]);
    text += vector('PCI', pairs);
  }
  return text;
}

/**
 * The monitoring template of an idle dummy host: what OpenNebula 7.4's dummy probes report
 * (hypervisor, CPU model, KVM CPU models and features, memory encryption, capacity, disks,
 * NUMA topology and usage, PCI devices), with the capacity, load and topology asked for and
 * the extra attributes replacing the dummy's own.
 */
export function dummyHostTemplate(hostname: string, capacity: DummyCapacity): string {
  const memKb = capacity.memoryMb * 1024;
  const used = Math.round((capacity.cpu * (capacity.usedPercent ?? 0)) / 100);
  const attrs = new Map<string, string>([
    ['HYPERVISOR', 'dummy'],
    ['HOSTNAME', hostname],
    ['ARCH', 'x86_64'],
    ['MODELNAME', 'Dummy(R) Core @ 3.2GHz'],
    ['CPUSPEED', '3200'],
    ['KVM_CPU_MODELS', CPU_MODELS],
    ['KVM_CPU_FEATURES', CPU_FEATURES],
    ['MEMORY_ENCRYPTION', 'SEV'],
    ['TOTALCPU', String(capacity.cpu)],
    ['USEDCPU', String(used)],
    ['FREECPU', String(capacity.cpu - used)],
    ['TOTALMEMORY', String(memKb)],
    ['USEDMEMORY', '0'],
    ['FREEMEMORY', String(memKb)],
    ['NETRX', '0'],
    ['NETTX', '0'],
    ['DS_LOCATION_USED_MB', '0'],
    ['DS_LOCATION_TOTAL_MB', String(DS_LOCATION_MB)],
    ['DS_LOCATION_FREE_MB', String(DS_LOCATION_MB)],
  ]);
  for (const [k, v] of capacity.extra ?? []) attrs.set(k, v);
  let text = '';
  for (const [k, v] of attrs) text += /^[\w.-]+$/.test(v) ? `${k}=${v}\n` : `${k}="${v.replace(/[\\"]/g, '\\$&')}"\n`;
  const topology = capacity.topology ?? DEFAULT_DUMMY_TOPOLOGY;
  return text + topologyText(topology, memKb) + numaUsageText(topology, memKb) + pciText();
}

export function dummyImActions(capacity: DummyCapacity, results: ScriptedResults): Map<string, ActionHandler> {
  return new Map<string, ActionHandler>([
    [
      'MONITOR',
      results.handler((req) => Buffer.from(dummyHostTemplate(req.args[0] ?? '', capacity)).toString('base64')),
    ],
    ['STOPMONITOR', results.handler(() => '')],
  ]);
}

/**
 * A host's NUMA topology (`HOST_SHARE/NUMA_NODES`): per node its CPU cores (each CPU with the VMs
 * pinned to it), huge pages and memory, as the IM's system probe describes them
 * (`CORE = [NODE_ID, ID, CPUS]`, `HUGEPAGE = [NODE_ID, SIZE, PAGES]`,
 * `MEMORY_NODE = [NODE_ID, TOTAL, DISTANCE]`) and as OpenNebula shows them:
 *
 *     <NODE><CORE><CPUS>0:-1,16:-1</CPUS><DEDICATED>NO</DEDICATED><FREE>2</FREE><ID>0</ID></CORE>…
 *       <HUGEPAGE><PAGES>1024</PAGES><SIZE>2048</SIZE><USAGE>0</USAGE></HUGEPAGE>…
 *       <MEMORY><DISTANCE>0 1</DISTANCE><TOTAL>8388608</TOTAL><USAGE>0</USAGE></MEMORY><NODE_ID>0</NODE_ID></NODE>
 *
 * A CPU is written `cpu:vm` once per VM pinned to it, `cpu:-1` when free and `cpu:-2` when
 * reserved. The usage parts (pinned VMs, huge pages and memory taken) survive new reports: a
 * report only adds cores and huge page sizes not known yet and refreshes totals and distances.
 */
import type { Template, Vector } from '../common/template/index.js';
import { child, childText, type XmlNode } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';

/** A probe's integer (leading digits), or undefined. */
function int(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? undefined : n;
}

interface NumaCpu {
  readonly id: number;
  /** VMs pinned to it (a VM may appear more than once on a shared CPU). */
  readonly vms: number[];
  reserved: boolean;
}

export class NumaCore {
  private constructor(
    readonly id: number,
    /** By CPU id, ascending. */
    readonly cpus: readonly NumaCpu[],
    /** Taken whole by one VM (PIN_POLICY = CORE). */
    public dedicated: boolean,
  ) {}

  /** A core from its CPUS text: `"0,16"` (a probe) or `"0:-1,16:5"` (a stored share). */
  static parse(id: number, cpusText: string, dedicated = false): NumaCore {
    const byId = new Map<number, NumaCpu>();
    for (const part of cpusText.split(',')) {
      const [cpuText, vmText] = part.split(':');
      const cpuId = int(cpuText?.trim());
      if (cpuId === undefined || cpuId < 0) continue;
      let cpu = byId.get(cpuId);
      if (!cpu) byId.set(cpuId, (cpu = { id: cpuId, vms: [], reserved: false }));
      const vm = int(vmText?.trim()) ?? -1;
      if (vm >= 0) cpu.vms.push(vm);
      else if (vm === -2) cpu.reserved = true;
    }
    return new NumaCore(id, [...byId.values()].sort((a, b) => a.id - b.id), dedicated);
  }

  /** VM placements on its CPUs. */
  get used(): number {
    return this.dedicated ? 1 : this.cpus.reduce((n, c) => n + c.vms.length, 0);
  }

  /** How many more VM threads fit: `vmsThread` per CPU not reserved, less those placed. */
  free(vmsThread: number): number {
    if (this.dedicated) return 0;
    const room = this.cpus.filter((c) => !c.reserved).length * vmsThread;
    return Math.max(0, room - this.used);
  }

  /** The CPUS text: `cpu:vm` per pinned VM, `cpu:-1` free, `cpu:-2` reserved. */
  cpusText(): string {
    const parts: string[] = [];
    for (const c of this.cpus) {
      if (c.reserved) parts.push(`${c.id}:-2`);
      else if (c.vms.length === 0) parts.push(`${c.id}:-1`);
      else for (const vm of [...c.vms].sort((a, b) => a - b)) parts.push(`${c.id}:${vm}`);
    }
    return parts.join(',');
  }

  toXml(vmsThread: number): string {
    return `<CORE>${xmlElement('CPUS', this.cpusText())}<DEDICATED>${this.dedicated ? 'YES' : 'NO'}</DEDICATED><FREE>${this.free(vmsThread)}</FREE><ID>${this.id}</ID></CORE>`;
  }
}

/** Huge pages of one size on a node: SIZE in KB, PAGES how many, USAGE how many VMs took. */
export interface HugePages {
  pages: number;
  usage: number;
}

/** A node's memory (KB): what it has, what VMs pinned to it take, and its distance list. */
export interface NodeMemory {
  total: number;
  usage: number;
  /** Node ids, nearest first (`"0 1"`). */
  distance: number[];
}

export class NumaNode {
  /** By core id. */
  readonly cores = new Map<number, NumaCore>();
  /** By page size (KB). */
  readonly pages = new Map<number, HugePages>();
  memory: NodeMemory | null = null;

  constructor(readonly id: number) {}

  /** Adds a core not known yet (a known one keeps its pinned VMs). */
  addCore(core: NumaCore): void {
    if (!this.cores.has(core.id)) this.cores.set(core.id, core);
  }

  /** The cores in id order. */
  sortedCores(): NumaCore[] {
    return [...this.cores.values()].sort((a, b) => a.id - b.id);
  }

  toXml(vmsThread: number): string {
    let xml = '<NODE>';
    for (const core of this.sortedCores()) xml += core.toXml(vmsThread);
    for (const size of [...this.pages.keys()].sort((a, b) => a - b)) {
      const p = this.pages.get(size)!;
      xml += `<HUGEPAGE><PAGES>${p.pages}</PAGES><SIZE>${size}</SIZE><USAGE>${p.usage}</USAGE></HUGEPAGE>`;
    }
    const m = this.memory;
    if (m) xml += `<MEMORY>${xmlElement('DISTANCE', m.distance.join(' '))}<TOTAL>${m.total}</TOTAL><USAGE>${m.usage}</USAGE></MEMORY>`;
    return `${xml}<NODE_ID>${this.id}</NODE_ID></NODE>`;
  }

  static fromXml(node: XmlNode): NumaNode | undefined {
    const id = int(childText(node, 'NODE_ID'));
    if (id === undefined) return undefined;
    const n = new NumaNode(id);
    for (const c of node.children) {
      if (c.name === 'CORE') {
        const coreId = int(childText(c, 'ID'));
        if (coreId !== undefined) n.addCore(NumaCore.parse(coreId, childText(c, 'CPUS'), childText(c, 'DEDICATED').toUpperCase() === 'YES'));
      } else if (c.name === 'HUGEPAGE') {
        const size = int(childText(c, 'SIZE'));
        if (size !== undefined) n.pages.set(size, { pages: int(childText(c, 'PAGES')) ?? 0, usage: int(childText(c, 'USAGE')) ?? 0 });
      }
    }
    const mem = child(node, 'MEMORY');
    if (mem) n.memory = { total: int(childText(mem, 'TOTAL')) ?? 0, usage: int(childText(mem, 'USAGE')) ?? 0, distance: distanceOf(childText(mem, 'DISTANCE')) };
    return n;
  }
}

function distanceOf(text: string): number[] {
  return text.split(/\s+/).flatMap((t) => {
    const n = int(t);
    return n === undefined ? [] : [n];
  });
}

/** Probe vectors that describe the NUMA topology (the system probe's, not the usage measurements). */
export const NUMA_PROBE_ATTRIBUTES = ['CORE', 'HUGEPAGE', 'MEMORY_NODE'] as const;

export class HostNuma {
  /** By node id. */
  readonly nodes = new Map<number, NumaNode>();

  /** The nodes in id order. */
  sortedNodes(): NumaNode[] {
    return [...this.nodes.values()].sort((a, b) => a.id - b.id);
  }

  private node(id: number): NumaNode {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = new NumaNode(id)));
    return n;
  }

  /**
   * Takes in the topology a report describes: cores not known yet (known ones keep their
   * pinned VMs), huge page sizes (the count refreshed, the usage kept), node memory totals and
   * distances. Vectors without NODE_ID are ignored, as OpenNebula ignores them.
   */
  applyProbe(info: Template): void {
    const vectors = (name: string): Vector[] => info.getAll(name).flatMap((a) => (typeof a.value === 'string' ? [] : [a.value]));
    for (const v of vectors('CORE')) {
      const nodeId = int(v.get('NODE_ID'));
      const id = int(v.get('ID'));
      if (nodeId === undefined || id === undefined) continue;
      this.node(nodeId).addCore(NumaCore.parse(id, v.get('CPUS') ?? ''));
    }
    for (const v of vectors('HUGEPAGE')) {
      const nodeId = int(v.get('NODE_ID'));
      const size = int(v.get('SIZE'));
      if (nodeId === undefined || size === undefined) continue;
      const pages = this.node(nodeId).pages;
      const nr = int(v.get('PAGES')) ?? 0;
      const known = pages.get(size);
      if (known) known.pages = nr;
      else pages.set(size, { pages: nr, usage: 0 });
    }
    for (const v of vectors('MEMORY_NODE')) {
      const nodeId = int(v.get('NODE_ID'));
      if (nodeId === undefined) continue;
      const node = this.node(nodeId);
      node.memory = { total: int(v.get('TOTAL')) ?? 0, usage: node.memory?.usage ?? 0, distance: distanceOf(v.get('DISTANCE') ?? '') };
    }
  }

  toXml(vmsThread: number): string {
    if (this.nodes.size === 0) return '<NUMA_NODES/>';
    let xml = '<NUMA_NODES>';
    for (const n of this.sortedNodes()) xml += n.toXml(vmsThread);
    return `${xml}</NUMA_NODES>`;
  }

  static fromXml(node: XmlNode | undefined): HostNuma {
    const numa = new HostNuma();
    for (const c of node?.children ?? []) {
      if (c.name !== 'NODE') continue;
      const n = NumaNode.fromXml(c);
      if (n && !numa.nodes.has(n.id)) numa.nodes.set(n.id, n);
    }
    return numa;
  }
}

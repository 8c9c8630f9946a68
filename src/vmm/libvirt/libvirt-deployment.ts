/**
 * The libvirt domain XML oned writes as the deployment file of VM_MADs with `TYPE = "kvm"` or
 * `TYPE = "qemu"`, as OpenNebula's LibVirtDriver does: built from the VM's XML and the driver's
 * defaults (the VM_MAD's DEFAULT file, share/etc/vmm_exec/vmm_exec_kvm.conf). Disks are
 * `<vm dir on the host>/disk.<DISK_ID>`, the files the transfer driver put there. Every value
 * is XML-escaped; only RAW DATA is copied as it is, after checking that it is well-formed XML.
 */
import { SaxesParser } from 'saxes';
import type { Template, Vector } from '../../common/template/index.js';
import { xmlEscape } from '../../common/xml.js';
import { childText, parseXmlTree, select, type XmlNode } from '../../common/xml-tree.js';

/** `<domain type=...>`: kvm (hardware acceleration) or qemu (TCG software emulation). */
export type LibvirtDomainType = 'kvm' | 'qemu';

export interface LibvirtDeploymentOptions {
  readonly type: LibvirtDomainType;
  /** The VM directory on the host: `<system datastore BASE_PATH>/<vm id>`. */
  readonly vmDir: string;
  /** The VM_MAD's defaults (EMULATOR, VCPU, OS, FEATURES, DISK, NIC, RAW). */
  readonly defaults: Template;
}

/** The VM cannot be described to libvirt; the message names the attribute and the reason. */
export class DeploymentError extends Error {}

/** First VNC/SPICE port; a VM without GRAPHICS/PORT gets 5900 + its id (OpenNebula's VNC_BASE_PORT). */
const GRAPHICS_BASE_PORT = 5900;
const BOOT_DEVICES = new Set(['hd', 'fd', 'cdrom', 'network']);
/** Disk bus by target prefix: vd* virtio, sd* scsi, hd* ide. */
const BUS_BY_PREFIX: readonly [string, string][] = [['vd', 'virtio'], ['sd', 'scsi'], ['hd', 'ide']];

/** Escaped `name='value'` attributes for the values that are set, in order. */
function attrs(pairs: readonly [string, string | undefined][]): string {
  return pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => ` ${k}='${xmlEscape(v!)}'`).join('');
}

/** Value of a vector attribute element (`<DISK><TARGET>vda</TARGET></DISK>`), trimmed; '' when absent. */
function val(node: XmlNode | undefined, key: string): string {
  return node ? childText(node, key).trim() : '';
}

function yes(v: string): boolean {
  return /^(yes|true|1)$/i.test(v);
}

/** Reads the VM's attributes with the driver's defaults behind them. */
class Source {
  readonly template: XmlNode;

  constructor(
    vm: XmlNode,
    private readonly defaults: Template,
  ) {
    const template = select(vm, 'TEMPLATE')[0];
    if (!template) throw new DeploymentError('the VM has no TEMPLATE');
    this.template = template;
  }

  /** The VM's single attribute, else the default. */
  single(name: string): string {
    return val(this.template, name) || (this.defaults.get(name) ?? '');
  }

  vectors(name: string): XmlNode[] {
    return select(this.template, name);
  }

  /** KEY of the VM's first NAME vector, else of the default NAME vector. */
  key(name: string, key: string): string {
    return val(this.vectors(name)[0], key) || this.defaultKey(name, key);
  }

  defaultKey(name: string, key: string): string {
    return (this.defaults.getVector(name) as Vector | undefined)?.get(key) ?? '';
  }
}

/** The domain XML of the VM described by `vmXml` (its `<VM>` document). @throws DeploymentError */
export function libvirtDeployment(vmXml: string, o: LibvirtDeploymentOptions): string {
  let vm: XmlNode;
  try {
    vm = parseXmlTree(vmXml);
  } catch (e) {
    throw new DeploymentError(`the VM XML does not parse: ${(e as Error).message}`);
  }
  const id = childText(vm, 'ID').trim();
  if (!/^\d+$/.test(id)) throw new DeploymentError(`the VM XML has no numeric ID (got "${id}")`);
  const s = new Source(vm, o.defaults);
  const devices = [
    emulator(s),
    ...s.vectors('DISK').map((d) => disk(d, o.vmDir, s)),
    ...s.vectors('CONTEXT').slice(0, 1).map((c) => contextDisk(c, o.vmDir)),
    ...s.vectors('NIC').map((n) => nic(n, id, s)),
    serialConsole(o.vmDir),
    ...s.vectors('GRAPHICS').slice(0, 1).map((g) => graphics(g, id)),
    ...s.vectors('INPUT').map(input),
    ...s.vectors('PCI').map(pciHostdev),
  ];
  return (
    `<domain type='${o.type}'>\n` +
    `  <name>one-${id}</name>\n` +
    cpu(s) +
    memory(s) +
    os(s) +
    features(s) +
    `  <devices>\n${devices.filter((d) => d !== '').map((d) => `    ${d}\n`).join('')}  </devices>\n` +
    raw(s, o.type) +
    `</domain>\n`
  );
}

/** CPU (share of a physical CPU) → `<cputune><shares>` = CPU × 1024; VCPU (and VCPU_MAX) → `<vcpu>`. */
function cpu(s: Source): string {
  let out = '';
  const cpu = s.single('CPU');
  if (cpu !== '') {
    const n = Number(cpu);
    if (!Number.isFinite(n) || n <= 0) throw new DeploymentError(`CPU must be a positive number (got "${cpu}")`);
    out += `  <cputune><shares>${Math.max(2, Math.round(n * 1024))}</shares></cputune>\n`;
  }
  const vcpu = s.single('VCPU');
  const max = s.single('VCPU_MAX');
  if (vcpu !== '' && !/^[1-9]\d*$/.test(vcpu)) throw new DeploymentError(`VCPU must be a positive integer (got "${vcpu}")`);
  if (max !== '') {
    // Room for a hot resize (one.vm.resize): VCPU_MAX plugged-in CPUs, VCPU of them online.
    if (!/^[1-9]\d*$/.test(max)) throw new DeploymentError(`VCPU_MAX must be a positive integer (got "${max}")`);
    const current = vcpu === '' ? max : vcpu;
    if (Number(current) > Number(max)) throw new DeploymentError(`VCPU (${current}) is above VCPU_MAX (${max})`);
    out += `  <vcpu current='${current}'>${max}</vcpu>\n`;
  } else if (vcpu !== '') out += `  <vcpu>${vcpu}</vcpu>\n`;
  return out;
}

/** MEMORY (MB) → `<memory>` in KiB; with MEMORY_MAX, room to grow it hot (MEMORY_RESIZE_MODE). */
function memory(s: Source): string {
  const mb = s.single('MEMORY');
  if (!/^[1-9]\d*$/.test(mb)) throw new DeploymentError(`MEMORY must be a positive integer of MB (got "${mb}")`);
  const max = s.single('MEMORY_MAX');
  if (max === '' || Number(max) <= Number(mb)) return `  <memory>${Number(mb) * 1024}</memory>\n`;
  if (!/^[1-9]\d*$/.test(max)) throw new DeploymentError(`MEMORY_MAX must be a positive integer of MB (got "${max}")`);
  // Room for a hot resize: HOTPLUG adds DIMMs up to maxMemory; BALLOONING (the default) lets the
  // balloon grow the current memory up to <memory>.
  if (s.single('MEMORY_RESIZE_MODE').toUpperCase() === 'HOTPLUG') {
    const slots = s.single('MEMORY_SLOTS') || '1';
    if (!/^[1-9]\d*$/.test(slots)) throw new DeploymentError(`MEMORY_SLOTS must be a positive integer (got "${slots}")`);
    return `  <memory>${Number(mb) * 1024}</memory>\n  <maxMemory slots='${slots}'>${Number(max) * 1024}</maxMemory>\n`;
  }
  return `  <memory>${Number(max) * 1024}</memory>\n  <currentMemory>${Number(mb) * 1024}</currentMemory>\n`;
}

/** OS: ARCH, direct kernel boot (KERNEL, INITRD, ROOT, KERNEL_CMD) and the BOOT order. */
function os(s: Source): string {
  const arch = s.key('OS', 'ARCH');
  if (arch === '') throw new DeploymentError('OS/ARCH is not set, and the driver has no default');
  let out = `  <os>\n    <type${attrs([['arch', arch], ['machine', s.key('OS', 'MACHINE')]])}>hvm</type>\n`;
  const kernel = s.key('OS', 'KERNEL');
  if (kernel !== '') {
    out += `    <kernel>${xmlEscape(kernel)}</kernel>\n`;
    const initrd = s.key('OS', 'INITRD');
    if (initrd !== '') out += `    <initrd>${xmlEscape(initrd)}</initrd>\n`;
    const root = s.key('OS', 'ROOT');
    const cmdline = [root === '' ? '' : `root=/dev/${root}`, s.key('OS', 'KERNEL_CMD')].filter((x) => x !== '').join(' ');
    if (cmdline !== '') out += `    <cmdline>${xmlEscape(cmdline)}</cmdline>\n`;
  }
  for (const dev of s.key('OS', 'BOOT').split(',').map((b) => b.trim().toLowerCase()).filter((b) => b !== '')) {
    if (!BOOT_DEVICES.has(dev)) throw new DeploymentError(`OS/BOOT "${dev}" is not one of ${[...BOOT_DEVICES].join(', ')}`);
    out += `    <boot dev='${dev}'/>\n`;
  }
  return `${out}  </os>\n`;
}

/** FEATURES: ACPI (on unless set to no), PAE, APIC. */
function features(s: Source): string {
  const on = ['ACPI', 'PAE', 'APIC'].filter((f) => yes(s.key('FEATURES', f) || (f === 'ACPI' ? 'yes' : 'no')));
  return on.length === 0 ? '' : `  <features>${on.map((f) => `<${f.toLowerCase()}/>`).join('')}</features>\n`;
}

function emulator(s: Source): string {
  const path = s.single('EMULATOR');
  return path === '' ? '' : `<emulator>${xmlEscape(path)}</emulator>`;
}

/** BUS, else the bus the target's prefix names (vd virtio, sd scsi, hd ide). */
function busOf(node: XmlNode, target: string): string {
  return val(node, 'BUS') || (BUS_BY_PREFIX.find(([p]) => target.startsWith(p))?.[1] ?? '');
}

function checkedTarget(node: XmlNode, what: string): string {
  const target = val(node, 'TARGET');
  if (!/^[a-z]+[a-z0-9]*$/.test(target)) throw new DeploymentError(`${what} needs a TARGET device name such as vda or hdb (got "${target}")`);
  return target;
}

/** One DISK: a file (qcow2/raw) or a block device, a CD-ROM; its source is `<vm dir>/disk.<DISK_ID>`. */
function disk(d: XmlNode, vmDir: string, s: Source): string {
  const diskId = val(d, 'DISK_ID');
  const what = `DISK ${diskId}`;
  if (!/^\d+$/.test(diskId)) throw new DeploymentError(`a DISK has no DISK_ID (got "${diskId}")`);
  const target = checkedTarget(d, what);
  const type = val(d, 'TYPE').toUpperCase();
  const cdrom = type === 'CDROM';
  const block = type === 'BLOCK';
  const path = `${vmDir}/disk.${diskId}`;
  const format = val(d, 'DRIVER') || imageFormat(val(d, 'FORMAT')) || s.defaultKey('DISK', 'DRIVER') || 'raw';
  const driver = attrs([
    ['name', 'qemu'],
    ['type', format],
    ['cache', val(d, 'CACHE') || s.defaultKey('DISK', 'CACHE')],
    ['discard', val(d, 'DISCARD') || s.defaultKey('DISK', 'DISCARD')],
    ['io', val(d, 'IO') || s.defaultKey('DISK', 'IO')],
  ]);
  return (
    `<disk type='${block ? 'block' : 'file'}' device='${cdrom ? 'cdrom' : 'disk'}'>` +
    `<source${attrs([[block ? 'dev' : 'file', path]])}/>` +
    `<target${attrs([['dev', target], ['bus', busOf(d, target)]])}/>` +
    `${cdrom || yes(val(d, 'READONLY')) ? '<readonly/>' : ''}<driver${driver}/></disk>`
  );
}

/** An image's FORMAT when it is a disk format; a 3.x file system type (ext4...) is a raw file. */
function imageFormat(format: string): string {
  return format === '' ? '' : /^(raw|qcow2|qcow|vmdk|vdi|vhd|vpc|qed)$/i.test(format) ? format.toLowerCase() : 'raw';
}

/** The CONTEXT CD-ROM (the ISO the transfer driver wrote as `disk.<DISK_ID>`). */
function contextDisk(c: XmlNode, vmDir: string): string {
  const diskId = val(c, 'DISK_ID');
  if (!/^\d+$/.test(diskId)) throw new DeploymentError(`CONTEXT has no DISK_ID (got "${diskId}")`);
  const target = checkedTarget(c, 'CONTEXT');
  return (
    `<disk type='file' device='cdrom'><source${attrs([['file', `${vmDir}/disk.${diskId}`]])}/>` +
    `<target${attrs([['dev', target], ['bus', busOf(c, target)]])}/><readonly/><driver name='qemu' type='raw'/></disk>`
  );
}

/** A NIC on its BRIDGE (an `ethernet` interface without one), tap `one-<vm id>-<nic id>` unless TARGET says otherwise. */
function nic(n: XmlNode, vmId: string, s: Source): string {
  const bridge = val(n, 'BRIDGE');
  const mac = val(n, 'MAC');
  if (mac !== '' && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new DeploymentError(`NIC ${val(n, 'NIC_ID')}: MAC "${mac}" is not a MAC address`);
  const filter = val(n, 'FILTER') || s.defaultKey('NIC', 'FILTER');
  const ip = val(n, 'IP');
  return (
    `<interface type='${bridge === '' ? 'ethernet' : 'bridge'}'>` +
    (bridge === '' ? '' : `<source${attrs([['bridge', bridge]])}/>`) +
    (mac === '' ? '' : `<mac${attrs([['address', mac]])}/>`) +
    `<target${attrs([['dev', val(n, 'TARGET') || `one-${vmId}-${val(n, 'NIC_ID') || '0'}`]])}/>` +
    (val(n, 'SCRIPT') === '' ? '' : `<script${attrs([['path', val(n, 'SCRIPT')]])}/>`) +
    `${modelOf(n, s)}` +
    (filter !== '' && ip !== '' ? `<filterref${attrs([['filter', filter]])}><parameter name='IP'${attrs([['value', ip]])}/></filterref>` : '') +
    `</interface>`
  );
}

function modelOf(n: XmlNode, s: Source): string {
  const model = val(n, 'MODEL') || s.defaultKey('NIC', 'MODEL');
  return model === '' ? '' : `<model${attrs([['type', model]])}/>`;
}

/** The guest's first serial port (and console), appended to `<vm dir>/console.log` across reboots and restarts. */
function serialConsole(vmDir: string): string {
  const source = `<source${attrs([['path', `${vmDir}/console.log`]])}/>`;
  return `<serial type='file'>${source}<target port='0'/></serial><console type='file'>${source}<target type='serial' port='0'/></console>`;
}

/** GRAPHICS vnc or spice: LISTEN, PORT (5900 + VM id when unset), PASSWD, KEYMAP. */
function graphics(g: XmlNode, vmId: string): string {
  const type = val(g, 'TYPE').toLowerCase();
  if (type !== 'vnc' && type !== 'spice') throw new DeploymentError(`GRAPHICS TYPE must be vnc or spice (got "${val(g, 'TYPE')}")`);
  const port = val(g, 'PORT') || String(GRAPHICS_BASE_PORT + Number(vmId));
  if (!/^-?\d+$/.test(port)) throw new DeploymentError(`GRAPHICS PORT must be a number (got "${port}")`);
  return `<graphics${attrs([['type', type], ['listen', val(g, 'LISTEN')], ['port', port], ['passwd', val(g, 'PASSWD')], ['keymap', val(g, 'KEYMAP')]])}/>`;
}

/** INPUT: TYPE (mouse, tablet) on BUS (usb, ps2). */
function input(i: XmlNode): string {
  const type = val(i, 'TYPE');
  if (type === '') throw new DeploymentError('INPUT needs a TYPE (mouse, tablet)');
  return `<input${attrs([['type', type], ['bus', val(i, 'BUS')]])}/>`;
}

/**
 * A PCI passthrough device: `<hostdev mode='subsystem' type='pci' managed='yes'>` with the host
 * address oned assigned when it placed the VM (DOMAIN, BUS, SLOT, FUNCTION, hex as lspci prints).
 */
function pciHostdev(p: XmlNode): string {
  const hex = (key: string, digits: number) => {
    const v = val(p, key).replace(/^0x/i, '');
    if (!new RegExp(`^[0-9a-fA-F]{1,${digits}}$`).test(v)) throw new DeploymentError(`PCI ${val(p, 'PCI_ID')} has no host ${key} (got "${val(p, key)}"): the VM is not placed on a host with the device`);
    return `0x${v.toLowerCase().padStart(digits, '0')}`;
  };
  const address = attrs([['domain', hex('DOMAIN', 4)], ['bus', hex('BUS', 2)], ['slot', hex('SLOT', 2)], ['function', hex('FUNCTION', 1)]]);
  return `<hostdev mode='subsystem' type='pci' managed='yes'><source><address${address}/></source></hostdev>`;
}

/**
 * RAW vectors of this hypervisor (`RAW = [ TYPE = "kvm", DATA = "<libvirt xml>" ]`; the qemu
 * driver takes TYPE kvm or qemu), the driver's default RAW first: DATA is libvirt XML copied
 * into the domain as it is.
 */
function raw(s: Source, type: LibvirtDomainType): string {
  const types = type === 'qemu' ? ['kvm', 'qemu'] : ['kvm'];
  const data = [s.defaultKey('RAW', 'DATA')];
  for (const r of s.vectors('RAW')) if (types.includes(val(r, 'TYPE').toLowerCase())) data.push(val(r, 'DATA'));
  return data.filter((d) => d !== '').map((d) => `  ${checkedFragment(d)}\n`).join('');
}

/** @throws DeploymentError when `xml` is not a well-formed sequence of elements. */
function checkedFragment(xml: string): string {
  const parser = new SaxesParser({ fragment: true });
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  parser.write(xml).close();
  if (error) throw new DeploymentError(`RAW DATA is not well-formed XML: ${error.message}`);
  return xml;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readConfigFile } from '../../common/config.js';
import { Template } from '../../common/template/index.js';
import { PACKAGE_ROOT } from '../../oned/location.js';
import { DeploymentError, libvirtDeployment } from './libvirt-deployment.js';

/** The shipped defaults (share/etc/vmm_exec/vmm_exec_kvm.conf), as oned reads them. */
const DEFAULTS = readConfigFile(join(PACKAGE_ROOT, 'share', 'etc', 'vmm_exec', 'vmm_exec_kvm.conf'));
const DIR = '/var/lib/one/datastores/0/7';

/** A VM document as oned writes it (values in CDATA), with the given TEMPLATE body. */
function vm(template: string, id = 7): string {
  return `<VM><ID>${id}</ID><NAME>web</NAME><TEMPLATE>${template}</TEMPLATE><HISTORY_RECORDS/></VM>`;
}

function cdata(attrs: Record<string, string>): string {
  return Object.entries(attrs).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('');
}

function deploy(template: string, type: 'kvm' | 'qemu' = 'kvm', defaults: Template = DEFAULTS): string {
  return libvirtDeployment(vm(template), { type, vmDir: DIR, defaults });
}

const BASE = cdata({ CPU: '0.5', VCPU: '2', MEMORY: '256' });

test('domain type, name, CPU shares, VCPU and MEMORY in KiB', () => {
  const xml = deploy(BASE);
  assert.match(xml, /^<domain type='kvm'>\n {2}<name>one-7<\/name>\n/);
  assert.match(xml, /<cputune><shares>512<\/shares><\/cputune>/);
  assert.match(xml, /<vcpu>2<\/vcpu>/);
  assert.match(xml, /<memory>262144<\/memory>/);
  assert.match(deploy(BASE, 'qemu'), /^<domain type='qemu'>/);
  assert.match(xml, /<emulator>\/usr\/bin\/qemu-system-x86_64<\/emulator>/);
});

test('OS: arch and boot from the defaults; direct kernel boot with root= and KERNEL_CMD', () => {
  assert.match(deploy(BASE), /<os>\n {4}<type arch='x86_64'>hvm<\/type>\n {4}<boot dev='hd'\/>\n {2}<\/os>/);
  const xml = deploy(BASE + `<OS>${cdata({ ARCH: 'i686', BOOT: 'cdrom,hd', KERNEL: '/k/vmlinuz', INITRD: '/k/initrd.img', ROOT: 'vda', KERNEL_CMD: 'console=ttyS0 panic=-1' })}</OS>`);
  assert.match(xml, /<type arch='i686'>hvm<\/type>/);
  assert.match(xml, /<kernel>\/k\/vmlinuz<\/kernel>\n {4}<initrd>\/k\/initrd.img<\/initrd>\n {4}<cmdline>root=\/dev\/vda console=ttyS0 panic=-1<\/cmdline>/);
  assert.match(xml, /<boot dev='cdrom'\/>\n {4}<boot dev='hd'\/>/);
});

test('FEATURES: ACPI unless turned off, PAE and APIC when asked', () => {
  assert.match(deploy(BASE), /<features><acpi\/><\/features>/);
  assert.match(deploy(BASE + `<FEATURES>${cdata({ ACPI: 'no', PAE: 'yes', APIC: 'yes' })}</FEATURES>`), /<features><pae\/><apic\/><\/features>/);
  assert.match(deploy(BASE + `<OS>${cdata({ ARCH: 'x86_64' })}</OS>`, 'kvm', new Template()), /<features><acpi\/><\/features>/);
});

test('disks: qcow2 file, raw block device, CD-ROM, read-only, bus from the target prefix, cache', () => {
  const disks =
    `<DISK>${cdata({ DISK_ID: '0', TARGET: 'vda', TYPE: 'FILE', FORMAT: 'qcow2', READONLY: 'NO' })}</DISK>` +
    `<DISK>${cdata({ DISK_ID: '1', TARGET: 'sdb', TYPE: 'BLOCK', DRIVER: 'raw', CACHE: 'writeback', READONLY: 'YES' })}</DISK>` +
    `<DISK>${cdata({ DISK_ID: '2', TARGET: 'hdc', TYPE: 'CDROM', FORMAT: 'raw' })}</DISK>` +
    `<DISK>${cdata({ DISK_ID: '3', TARGET: 'vdd', TYPE: 'fs', FORMAT: 'ext4', DISCARD: 'unmap' })}</DISK>`;
  const xml = deploy(BASE + disks);
  assert.ok(xml.includes(`<disk type='file' device='disk'><source file='${DIR}/disk.0'/><target dev='vda' bus='virtio'/><driver name='qemu' type='qcow2' cache='none'/></disk>`), xml);
  assert.ok(xml.includes(`<disk type='block' device='disk'><source dev='${DIR}/disk.1'/><target dev='sdb' bus='scsi'/><readonly/><driver name='qemu' type='raw' cache='writeback'/></disk>`), xml);
  assert.ok(xml.includes(`<disk type='file' device='cdrom'><source file='${DIR}/disk.2'/><target dev='hdc' bus='ide'/><readonly/><driver name='qemu' type='raw' cache='none'/></disk>`), xml);
  // A 3.x volatile disk formatted as ext4 is a raw file.
  assert.ok(xml.includes(`<source file='${DIR}/disk.3'/><target dev='vdd' bus='virtio'/><driver name='qemu' type='raw' cache='none' discard='unmap'/>`), xml);
  // Without defaults: no cache attribute, raw.
  const plain = deploy(BASE + `<DISK>${cdata({ DISK_ID: '0', TARGET: 'xvda' })}</DISK>` + `<OS>${cdata({ ARCH: 'x86_64' })}</OS>`, 'kvm', new Template());
  assert.ok(plain.includes(`<target dev='xvda'/><driver name='qemu' type='raw'/>`), plain);
  assert.ok(!plain.includes('<emulator>'));
});

test('the CONTEXT CD-ROM is disk.<DISK_ID>, read-only raw on the bus of its target', () => {
  const xml = deploy(BASE + `<DISK>${cdata({ DISK_ID: '0', TARGET: 'vda' })}</DISK><CONTEXT>${cdata({ DISK_ID: '1', TARGET: 'hda', HOSTNAME: 'x' })}</CONTEXT>`);
  assert.ok(xml.includes(`<disk type='file' device='cdrom'><source file='${DIR}/disk.1'/><target dev='hda' bus='ide'/><readonly/><driver name='qemu' type='raw'/></disk>`), xml);
});

test('NICs: bridge, MAC, tap one-<vm>-<nic>, default virtio model, script, filter with IP; ethernet without a bridge', () => {
  const nics =
    `<NIC>${cdata({ NIC_ID: '0', BRIDGE: 'br0', MAC: '02:00:0a:4d:00:69', IP: '10.77.0.105', FILTER: 'clean-traffic' })}</NIC>` +
    `<NIC>${cdata({ NIC_ID: '1', BRIDGE: 'br1', MAC: '02:00:00:00:07:01', MODEL: 'e1000', TARGET: 'tap9', SCRIPT: '/etc/qemu-ifup' })}</NIC>` +
    `<NIC>${cdata({ NIC_ID: '2', MAC: '02:00:00:00:07:02' })}</NIC>`;
  const xml = deploy(BASE + nics);
  assert.ok(xml.includes(`<interface type='bridge'><source bridge='br0'/><mac address='02:00:0a:4d:00:69'/><target dev='one-7-0'/><model type='virtio'/><filterref filter='clean-traffic'><parameter name='IP' value='10.77.0.105'/></filterref></interface>`), xml);
  assert.ok(xml.includes(`<interface type='bridge'><source bridge='br1'/><mac address='02:00:00:00:07:01'/><target dev='tap9'/><script path='/etc/qemu-ifup'/><model type='e1000'/></interface>`), xml);
  assert.ok(xml.includes(`<interface type='ethernet'><mac address='02:00:00:00:07:02'/><target dev='one-7-2'/><model type='virtio'/></interface>`), xml);
});

test('serial console to a file in the VM directory, GRAPHICS with the default port, INPUT', () => {
  const xml = deploy(BASE + `<GRAPHICS>${cdata({ TYPE: 'VNC', LISTEN: '0.0.0.0', PASSWD: 's3cret', KEYMAP: 'es' })}</GRAPHICS><INPUT>${cdata({ TYPE: 'tablet', BUS: 'usb' })}</INPUT>`);
  assert.ok(xml.includes(`<serial type='file'><source path='${DIR}/console.log'/><target port='0'/></serial><console type='file'><source path='${DIR}/console.log'/><target type='serial' port='0'/></console>`), xml);
  assert.ok(xml.includes(`<graphics type='vnc' listen='0.0.0.0' port='5907' passwd='s3cret' keymap='es'/>`), xml);
  assert.ok(xml.includes(`<input type='tablet' bus='usb'/>`), xml);
  assert.ok(deploy(BASE + `<GRAPHICS>${cdata({ TYPE: 'spice', PORT: '6000' })}</GRAPHICS>`).includes(`<graphics type='spice' port='6000'/>`));
});

test('RAW DATA of this hypervisor is copied into the domain; other hypervisors\' RAW is not', () => {
  const raws =
    `<RAW>${cdata({ TYPE: 'kvm', DATA: `<devices><watchdog model='i6300esb'/></devices>` })}</RAW>` +
    `<RAW>${cdata({ TYPE: 'qemu', DATA: `<clock offset='utc'/>` })}</RAW>` +
    `<RAW>${cdata({ TYPE: 'xen', DATA: `<xen/>` })}</RAW>`;
  const kvm = deploy(BASE + raws);
  assert.match(kvm, / {2}<devices><watchdog model='i6300esb'\/><\/devices>\n<\/domain>\n$/);
  assert.ok(!kvm.includes('<clock') && !kvm.includes('<xen/>'));
  const qemu = deploy(BASE + raws, 'qemu');
  assert.ok(qemu.includes(`<watchdog model='i6300esb'/>`) && qemu.includes(`<clock offset='utc'/>`) && !qemu.includes('<xen/>'));
});

test('every value is XML-escaped', () => {
  const xml = deploy(
    BASE +
      `<OS>${cdata({ KERNEL: "/k/a'b&c", KERNEL_CMD: 'x=<y>' })}</OS>` +
      `<DISK>${cdata({ DISK_ID: '0', TARGET: 'vda', CACHE: "none' evil='1" })}</DISK>` +
      `<NIC>${cdata({ NIC_ID: '0', BRIDGE: "br'0<", MAC: '02:00:00:00:00:01' })}</NIC>` +
      `<GRAPHICS>${cdata({ TYPE: 'vnc', PASSWD: `p'w"<&>` })}</GRAPHICS>`,
  );
  assert.ok(xml.includes(`<kernel>/k/a&apos;b&amp;c</kernel>`), xml);
  assert.ok(xml.includes(`<cmdline>x=&lt;y&gt;</cmdline>`));
  assert.ok(xml.includes(`cache='none&apos; evil=&apos;1'`));
  assert.ok(xml.includes(`<source bridge='br&apos;0&lt;'/>`));
  assert.ok(xml.includes(`passwd='p&apos;w&quot;&lt;&amp;&gt;'`));
});

test('bad input: a clear error naming the attribute', () => {
  const bad = (template: string, message: RegExp) => assert.throws(() => deploy(template), (e: Error) => e instanceof DeploymentError && message.test(e.message));
  bad(cdata({ CPU: '1' }), /^MEMORY must be a positive integer of MB \(got ""\)$/);
  bad(cdata({ CPU: 'lots', MEMORY: '64' }), /^CPU must be a positive number/);
  bad(cdata({ MEMORY: '64', VCPU: '0' }), /^VCPU must be a positive integer/);
  bad(BASE + `<OS>${cdata({ BOOT: 'floppy' })}</OS>`, /^OS\/BOOT "floppy" is not one of hd, fd, cdrom, network$/);
  bad(BASE + `<DISK>${cdata({ DISK_ID: '0' })}</DISK>`, /^DISK 0 needs a TARGET device name/);
  bad(BASE + `<DISK>${cdata({ DISK_ID: '0', TARGET: "vda'/><x" })}</DISK>`, /^DISK 0 needs a TARGET/);
  bad(BASE + `<NIC>${cdata({ NIC_ID: '0', MAC: 'zz' })}</NIC>`, /^NIC 0: MAC "zz" is not a MAC address$/);
  bad(BASE + `<GRAPHICS>${cdata({ TYPE: 'sdl' })}</GRAPHICS>`, /^GRAPHICS TYPE must be vnc or spice/);
  bad(BASE + `<RAW>${cdata({ TYPE: 'kvm', DATA: '<devices><oops></devices>' })}</RAW>`, /^RAW DATA is not well-formed XML/);
  assert.throws(() => libvirtDeployment(vm(BASE), { type: 'kvm', vmDir: DIR, defaults: new Template() }), /^Error: OS\/ARCH is not set, and the driver has no default$/);
  assert.throws(() => libvirtDeployment('<VM>', { type: 'kvm', vmDir: DIR, defaults: DEFAULTS }), /the VM XML does not parse/);
});

test('VCPU_MAX and MEMORY_MAX leave room for a hot resize: ballooning by default, DIMM slots with HOTPLUG', () => {
  const hot = deploy(cdata({ CPU: '1', VCPU: '2', VCPU_MAX: '4', MEMORY: '256', MEMORY_MAX: '1024' }));
  assert.match(hot, /\n {2}<vcpu current='2'>4<\/vcpu>\n/);
  assert.match(hot, /\n {2}<memory>1048576<\/memory>\n {2}<currentMemory>262144<\/currentMemory>\n/);
  const dimm = deploy(cdata({ CPU: '1', VCPU_MAX: '3', MEMORY: '256', MEMORY_MAX: '512', MEMORY_RESIZE_MODE: 'HOTPLUG', MEMORY_SLOTS: '2' }));
  assert.match(dimm, /\n {2}<vcpu current='3'>3<\/vcpu>\n/, 'without VCPU all of VCPU_MAX is online');
  assert.match(dimm, /\n {2}<memory>262144<\/memory>\n {2}<maxMemory slots='2'>524288<\/maxMemory>\n/);
  assert.doesNotMatch(deploy(cdata({ CPU: '1', MEMORY: '256', MEMORY_MAX: '128' })), /currentMemory|maxMemory/, 'a MEMORY_MAX below MEMORY changes nothing');
  assert.throws(() => deploy(cdata({ CPU: '1', VCPU: '8', VCPU_MAX: '4', MEMORY: '256' })), /VCPU \(8\) is above VCPU_MAX \(4\)/);
  assert.throws(() => deploy(cdata({ CPU: '1', VCPU_MAX: 'x', MEMORY: '256' })), /VCPU_MAX must be a positive integer \(got "x"\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigReader } from '../common/config.js';
import { Template } from '../common/template/index.js';
import { PACKAGE_ROOT } from '../oned/location.js';
import { tempDir } from '../mad/testing.js';
import { deploymentFormats } from './deployment-formats.js';

const SHIPPED = join(PACKAGE_ROOT, 'share', 'etc');
const VM = '<VM><ID>3</ID><TEMPLATE><MEMORY>64</MEMORY></TEMPLATE></VM>';

function config(text: string): ConfigReader {
  return new ConfigReader(Template.parse(text));
}

test('xml drivers get the VM XML; kvm and qemu the libvirt domain with the DEFAULT file', () => {
  const formats = deploymentFormats(
    config(
      `VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy", TYPE = "xml" ]\n` +
        `VM_MAD = [ NAME = "plain", EXECUTABLE = "one_vmm_dummy" ]\n` +
        `VM_MAD = [ NAME = "kvm", EXECUTABLE = "one_vmm_exec", TYPE = "kvm", DEFAULT = "vmm_exec/vmm_exec_kvm.conf" ]\n` +
        `VM_MAD = [ NAME = "qemu", EXECUTABLE = "one_vmm_exec", TYPE = "QEMU", DEFAULT = "vmm_exec/vmm_exec_kvm.conf" ]`,
    ),
    [SHIPPED],
  );
  assert.deepEqual([...formats.keys()], ['dummy', 'plain', 'kvm', 'qemu']);
  assert.equal(formats.get('dummy')!(VM, '/ds/0/3'), VM);
  assert.equal(formats.get('plain')!(VM, '/ds/0/3'), VM);
  const kvm = formats.get('kvm')!(VM, '/ds/0/3');
  assert.match(kvm, /^<domain type='kvm'>/);
  assert.match(kvm, /<emulator>\/usr\/bin\/qemu-system-x86_64<\/emulator>/);
  assert.match(kvm, /<source path='\/ds\/0\/3\/console.log'\/>/);
  assert.match(formats.get('qemu')!(VM, '/ds/0/3'), /^<domain type='qemu'>/);
});

test('a site copy of the DEFAULT file is read before the shipped one', () => {
  const etc = tempDir('vmm-etc');
  mkdirSync(join(etc, 'vmm_exec'));
  writeFileSync(join(etc, 'vmm_exec', 'vmm_exec_kvm.conf'), 'EMULATOR = "/opt/qemu/bin/qemu"\nOS = [ ARCH = "aarch64" ]\n');
  const formats = deploymentFormats(config(`VM_MAD = [ NAME = "kvm", EXECUTABLE = "one_vmm_exec", TYPE = "kvm", DEFAULT = "vmm_exec/vmm_exec_kvm.conf" ]`), [etc, SHIPPED]);
  const xml = formats.get('kvm')!(VM, '/d');
  assert.match(xml, /<emulator>\/opt\/qemu\/bin\/qemu<\/emulator>/);
  assert.match(xml, /<type arch='aarch64'>hvm<\/type>/);
});

test('an unknown TYPE or a missing DEFAULT file is refused, naming the driver', () => {
  assert.throws(() => deploymentFormats(config(`VM_MAD = [ NAME = "x", EXECUTABLE = "e", TYPE = "xen" ]`), [SHIPPED]), /^Error: VM_MAD "x": TYPE "xen" is not supported \(xml, kvm, qemu\)$/);
  assert.throws(
    () => deploymentFormats(config(`VM_MAD = [ NAME = "kvm", EXECUTABLE = "e", TYPE = "kvm", DEFAULT = "vmm_exec/nope.conf" ]`), ['/nonexistent']),
    /^Error: VM_MAD "kvm": DEFAULT file vmm_exec\/nope.conf not found \(looked in \/nonexistent\/vmm_exec\/nope.conf\)$/,
  );
});

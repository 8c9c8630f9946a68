import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { readConfigFile } from '../common/config.js';
import { PACKAGE_ROOT } from '../oned/location.js';
import { DeploymentError, libvirtDeployment } from '../vmm/libvirt/libvirt-deployment.js';
import { choosePci, pciMatches, placePci, preparePci } from './vm-pci.js';

const dev = (short: string, vendor: string, device: string, cls: string): Map<string, string> =>
  new Map([['SHORT_ADDRESS', short], ['ADDRESS', `0000:${short.replace('.', ':')}`], ['BUS', short.slice(0, 2)], ['SLOT', short.slice(3, 5)], ['FUNCTION', short.slice(6)], ['DOMAIN', '0000'], ['NUMA_NODE', '1'], ['VENDOR', vendor], ['DEVICE', device], ['CLASS', cls]]);
const GPU = dev('02:00.0', '10de', '0863', '0302');
const USB1 = dev('00:06.0', '1b21', '0aa7', '0c03');
const USB2 = dev('00:06.1', '1022', '0aa9', '0c03');

test('preparePci numbers the requests and refuses one that names no device or a malformed id', () => {
  const t = Template.parse('PCI = [ VENDOR = "10de", CLASS = "0302" ]\nPCI = [ SHORT_ADDRESS = "00:06.1" ]');
  assert.equal(preparePci(t), null);
  assert.deepEqual(t.getAll('PCI').map((a) => (a.value as Map<string, string>).get('PCI_ID')), ['0', '1']);
  assert.match(preparePci(Template.parse('PCI = [ NAME = "gpu" ]')) ?? '', /PCI 0 must name its device: SHORT_ADDRESS, or VENDOR, DEVICE and\/or CLASS/);
  assert.match(preparePci(Template.parse('PCI = [ VENDOR = "10de;x" ]')) ?? '', /PCI 0: VENDOR must be a 4-digit hex vendor id such as 10de, not "10de;x"/);
  assert.match(preparePci(Template.parse('PCI = [ SHORT_ADDRESS = "2:0.0" ]')) ?? '', /SHORT_ADDRESS must be a bus:slot.function address/);
});

test('matching by SHORT_ADDRESS, or by every one of VENDOR, DEVICE, CLASS given (hex, any case)', () => {
  assert.ok(pciMatches(GPU, new Map([['SHORT_ADDRESS', '02:00.0']])));
  assert.ok(!pciMatches(USB1, new Map([['SHORT_ADDRESS', '02:00.0']])));
  assert.ok(pciMatches(GPU, new Map([['VENDOR', '10DE']])));
  assert.ok(pciMatches(USB2, new Map([['CLASS', '0c03']])));
  assert.ok(!pciMatches(USB2, new Map([['CLASS', '0c03'], ['VENDOR', '1b21']])));
});

test('choosePci gives each request its own device, address requests first; none when one lacks', () => {
  const both = choosePci([USB1, USB2, GPU], [new Map([['CLASS', '0c03']]), new Map([['SHORT_ADDRESS', '00:06.0']])]);
  assert.deepEqual(both, [USB2, USB1], 'the class request does not take the device the other names');
  assert.equal(choosePci([USB1, USB2], [new Map([['CLASS', '0c03']]), new Map([['CLASS', '0c03']]), new Map([['CLASS', '0c03']])]), undefined);
  assert.equal(choosePci([USB1], [new Map([['VENDOR', '10de']])]), undefined);
  assert.deepEqual(choosePci([], []), []);
});

test('the deployment file gets a managed PCI hostdev at the assigned host address; an unplaced request is refused', () => {
  const req = new Map([['VENDOR', '10de'], ['PCI_ID', '0']]);
  placePci(req, GPU);
  assert.deepEqual([req.get('ADDRESS'), req.get('BUS'), req.get('SLOT'), req.get('FUNCTION'), req.get('DOMAIN'), req.get('NUMA_NODE')], ['0000:02:00:0', '02', '00', '0', '0000', '1']);
  const defaults = readConfigFile(join(PACKAGE_ROOT, 'share', 'etc', 'vmm_exec', 'vmm_exec_kvm.conf'));
  const pci = [...req].map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('');
  const xml = libvirtDeployment(`<VM><ID>7</ID><TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY><PCI>${pci}</PCI></TEMPLATE></VM>`, { type: 'kvm', vmDir: '/d/7', defaults });
  assert.match(xml, /<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'\/><\/source><\/hostdev>/);
  assert.throws(
    () => libvirtDeployment('<VM><ID>7</ID><TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY><PCI><PCI_ID>0</PCI_ID><VENDOR>10de</VENDOR></PCI></TEMPLATE></VM>', { type: 'kvm', vmDir: '/d/7', defaults }),
    (e: unknown) => e instanceof DeploymentError && /PCI 0 has no host DOMAIN/.test(e.message),
  );
});

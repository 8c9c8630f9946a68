/**
 * `onevm pci-attach` and `onevm pci-detach` as an admin uses them against a real oned (dummy
 * drivers whose hosts report PCI devices, SQLite): a device by --pci address or by
 * --pci_vendor / --pci_class, or from --file; the VM must be powered off; bad options and
 * oned's refusals give one line and exit 255.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import { Oned } from './harness.js';
import { okId, okXml, sleep } from './api-helpers.js';

const CONF = 'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n';

async function pcis(oned: Oned, id: number): Promise<string[][]> {
  const vm = parseXmlTree(await cliOk(oned, 'onevm', ['show', String(id), '--xml']));
  const t = vm.children.find((c) => c.name === 'TEMPLATE')!;
  return t.children.filter((c) => c.name === 'PCI').map((p) => [childText(p, 'PCI_ID'), childText(p, 'SHORT_ADDRESS') || childText(p, 'VENDOR') || childText(p, 'CLASS'), childText(p, 'ADDRESS')]);
}

async function until(oned: Oned, id: number, state: number, lcm: number): Promise<void> {
  const end = Date.now() + 10000;
  for (;;) {
    const v = await okXml(oned, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return;
    if (Date.now() > end) throw new Error(`VM ${id} did not reach ${state}/${lcm}`);
    await sleep(50);
  }
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, JSON.stringify(r.stderr));
  assert.match(r.stderr, message);
}

describe('onevm pci-attach and pci-detach on sqlite', () => {
  let oned: Oned;
  let vm = -1;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: CONF });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const h = await okId(oned, 'one.host.allocate', ['pci-node', 'dummy', 'dummy', -1]);
    while (childInt(await okXml(oned, 'one.host.info', [h]), 'STATE') !== 2) await sleep(50);
    vm = await okId(oned, 'one.vm.allocate', ['NAME = "passthru"\nCPU = 1\nMEMORY = 64']);
    await cliOk(oned, 'onevm', ['deploy', 'passthru', 'pci-node']);
    await until(oned, vm, 3, 3);
  });
  after(() => oned?.stop());

  test('a running VM is refused; powered off it gets devices by address, by vendor and class, from a file', async () => {
    oneLineError(await cli(oned, 'onevm', ['pci-attach', 'passthru', '--pci', '02:00.0']), /"pci-attach": This action is not available for state RUNNING/);
    await cliOk(oned, 'onevm', ['poweroff', '--hard', 'passthru']);
    await until(oned, vm, 8, 0);
    assert.equal(await cliOk(oned, 'onevm', ['pci-attach', 'passthru', '--pci', '02:00.0']), '');
    await cliOk(oned, 'onevm', ['pci-attach', String(vm), '--pci_vendor', '1b21', '--pci_class', '0c03']);
    const file = join(oned.location, 'pci.tmpl');
    writeFileSync(file, 'PCI = [ VENDOR = "1022" ]\n');
    await cliOk(oned, 'onevm', ['pci-attach', 'passthru', '--file', file]);
    assert.deepEqual(await pcis(oned, vm), [['0', '02:00.0', '0000:02:00:0'], ['1', '1b21', '0000:00:06:0'], ['2', '1022', '0000:00:06:1']]);
    const show = await cliOk(oned, 'onevm', ['show', 'passthru']);
    assert.match(show, /PCI DEVICES\n\s*ID SHORT_ADDR\s+VENDOR\s+DEVICE\s+CLASS\s+HOST ADDRESS\n\s*0 02:00.0\s+-\s+-\s+-\s+0000:02:00:0\n\s*1 -\s+1b21\s+-\s+0c03\s+0000:00:06:0\n/);
  });

  test('pci-detach by PCI_ID; refusals: no device option, a bad id, an unknown PCI_ID', async () => {
    assert.equal(await cliOk(oned, 'onevm', ['pci-detach', 'passthru', '1']), '');
    assert.deepEqual((await pcis(oned, vm)).map((p) => p[0]), ['0', '2']);
    oneLineError(await cli(oned, 'onevm', ['pci-attach', 'passthru']), /Say which device: --pci SHORT_ADDRESS/);
    oneLineError(await cli(oned, 'onevm', ['pci-attach', 'passthru', '--pci_vendor', '10de;reboot']), /--pci_vendor must be hex digits/);
    oneLineError(await cli(oned, 'onevm', ['pci-detach', 'passthru', '7']), /has no PCI with PCI_ID 7/);
    oneLineError(await cli(oned, 'onevm', ['pci-detach', 'passthru', 'x']), /PCI_ID must be a whole number/);
  });
});

/**
 * PCI passthrough in the operations center, in Chromium as oneadmin, on a monitored dummy host
 * (whose IM reports 7.4's dummy PCI devices): the host page's PCI devices with the VM holding
 * each; the VM page's PCI tab listing the VM's devices, attach (a free device of the host, or by
 * ids: bad ids refused by the form, oned's refusal when none is free shown) and detach while
 * POWEROFF, disabled with the reason while RUNNING; axe on the tabs and the dialog.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { axeViolations, confirmAction, screenshot, UI_SKIP, UiCloud, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };
const CONF = 'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\n';

describe('operations center: PCI devices', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let host = -1;
  before(async () => {
    cloud = await UiCloud.start({ oned: { conf: CONF }, withHost: false });
    await cloud.oned.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    host = Number(await cloud.oned.ok('one.host.allocate', ['pci-host', 'dummy', 'dummy', -1]));
    await until('the host monitored', async () => /<STATE>2<\/STATE>/.test(String(await cloud.oned.ok('one.host.info', [host]))));
  });
  after(async () => {
    await cloud?.stop();
  });

  const info = async (id: number) => String(await cloud.oned.ok('one.vm.info', [id]));
  const stateIs = (id: number, state: number, lcm = 0) => until(`VM ${id} in ${state}/${lcm}`, async () => new RegExp(`<STATE>${state}</STATE><LCM_STATE>${lcm}</LCM_STATE>`).test(await info(id)));
  /** The VM's PCI vectors as "PCI_ID:ADDRESS". */
  const vmPcis = async (id: number) => [...(await info(id)).matchAll(/<PCI>([\s\S]*?)<\/PCI>/g)].map((m) => `${/<PCI_ID>(?:<!\[CDATA\[)?(\d+)/.exec(m[1]!)?.[1]}:${/<ADDRESS>(?:<!\[CDATA\[)?([^<\]]*)/.exec(m[1]!)?.[1] ?? ''}`);

  test('host page lists the devices and their holders; VM page attaches and detaches while POWEROFF', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}hosts/${host}`);
    await page.getByRole('tab', { name: 'PCI devices' }).click();
    const gpu = page.locator('tr[data-pci="02:00.0"]');
    await gpu.getByText('C79 [GeForce 9400M]').waitFor();
    await gpu.getByRole('cell', { name: 'free' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    const id = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "gpu-vm"\nCPU = 0.1\nMEMORY = 32\nPCI = [ VENDOR = "10de", CLASS = "0302" ]', false]));
    await cloud.oned.ok('one.vm.deploy', [id, host, false, -1]);
    await stateIs(id, 3, 3);
    await gpu.getByRole('link', { name: `VM ${id}` }).waitFor();

    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    await page.getByRole('tab', { name: 'PCI' }).click();
    const row0 = page.locator('tr[data-vm-pci="0"]');
    await row0.getByRole('cell', { name: 'vendor 10de, class 0302' }).waitFor();
    await row0.getByRole('cell', { name: '0000:02:00:0' }).waitFor();
    const attach = page.getByRole('button', { name: 'Attach a PCI device', exact: true });
    assert.ok(await attach.isDisabled());
    assert.equal(await attach.getAttribute('title'), 'PCI devices are attached and detached only when the VM is POWEROFF or UNDEPLOYED');
    assert.ok(await row0.getByRole('button', { name: 'Detach PCI 0' }).isDisabled());
    assert.deepEqual(await axeViolations(page), []);

    await cloud.oned.ok('one.vm.action', ['poweroff', id]);
    await stateIs(id, 8);
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor();
    await until('attach enabled', () => attach.isEnabled());

    // A free device of the host, chosen from its list.
    await attach.click();
    const dialog = page.getByRole('dialog', { name: `Attach a PCI device to VM ${id}` });
    const confirm = dialog.getByRole('button', { name: 'Confirm attach a pci device' });
    await confirm.click();
    await dialog.getByRole('alert').getByText('Choose a device of the host').waitFor();
    const select = dialog.getByLabel('Host device');
    assert.equal(await select.locator('option', { hasText: '02:00.0' }).count(), 0, 'the GPU the VM holds is not offered');
    await select.selectOption('00:06.0');
    await screenshot(page, 'vm-attach-pci');
    assert.deepEqual(await axeViolations(page), []);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await until('PCI 1 attached', async () => (await vmPcis(id)).includes('1:0000:00:06:0'));
    await page.locator('tr[data-vm-pci="1"]').getByRole('cell', { name: 'address 00:06.0' }).waitFor();

    // By ids: a malformed id is refused by the form; a device none of which is free, by oned.
    await attach.click();
    await dialog.getByLabel('Any device with these ids').check();
    await dialog.getByLabel('Vendor (hex)').fill('nv');
    await confirm.click();
    await dialog.getByRole('alert').getByText('Vendor must be 4 hex digits, such as 10de').waitFor();
    await dialog.getByLabel('Vendor (hex)').fill('10de');
    await dialog.getByLabel('Class (hex)').fill('0302');
    await confirm.click();
    await dialog.getByRole('alert').getByText(/has no such device free/).waitFor();
    await dialog.getByLabel('Vendor (hex)').fill('');
    await dialog.getByLabel('Class (hex)').fill('0c03');
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await until('PCI 2 attached', async () => (await vmPcis(id)).includes('2:0000:00:06:1'));

    await confirmAction(page, 'Detach PCI 1');
    await until('PCI 1 detached', async () => (await vmPcis(id)).join() === '0:0000:02:00:0,2:0000:00:06:1');
    await page.locator('tr[data-vm-pci="1"]').waitFor({ state: 'detached' });

    await page.goto(`${cloud.url}hosts/${host}`);
    await page.getByRole('tab', { name: 'PCI devices' }).click();
    await page.locator('tr[data-pci="00:06.1"]').getByRole('link', { name: `VM ${id}` }).waitFor();
    await page.locator('tr[data-pci="00:06.0"]').getByRole('cell', { name: 'free' }).waitFor();
    await context.close();
  });
});

/**
 * The operations center's infrastructure pages in a real browser, as oneadmin: a dummy host
 * created through the form reaches MONITORED without a reload, draws its CPU and memory charts,
 * lists its VMs and goes disabled, enabled and offline after confirmations; a cluster takes the
 * host; the dashboard's counts are oned's; a phone-sized screen shows the dashboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, confirmAction, screenshot } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: hosts, clusters, dashboard', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let hostId = -1;
  before(async () => {
    // Hosts monitored every 2 s, so the charts get several samples within the test.
    cloud = await UiCloud.start({ oned: { conf: 'HOST_MONITORING_INTERVAL = 2' } });
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a dummy host created through the form goes MONITORED live; charts, VMs, disable/enable/offline', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('heading', { name: 'Hosts' }).waitFor();
    await page.getByRole('link', { name: 'Create host' }).click();
    // Bad input: the field says what is wrong, nothing is sent.
    await page.getByRole('button', { name: 'Create host' }).click();
    await page.getByText("Enter the host's name").waitFor();
    assert.equal(await page.getByLabel('Host name').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Host name').fill('dummy-a');
    // The driver choices are oned's configured ones (oned.conf: kvm, qemu, dummy...).
    const vmms = page.getByLabel('Virtualization driver (VM_MAD)').locator('option');
    await vmms.filter({ hasText: /^qemu/ }).waitFor({ state: 'attached' });
    assert.ok((await vmms.allInnerTexts()).some((t) => t.startsWith('kvm')));
    await page.getByLabel('Monitoring driver (IM_MAD)').selectOption('dummy');
    await page.getByLabel('Virtualization driver (VM_MAD)').selectOption('dummy');
    await page.getByRole('button', { name: 'Create host' }).click();
    await page.getByRole('heading', { name: /^Host \d+: dummy-a$/ }).waitFor();
    hostId = Number(/\/hosts\/(\d+)/.exec(page.url())![1]);
    // MONITORED ("on") arrives through the live feed, without a reload.
    await page.locator('.page-head .state', { hasText: /^on$/ }).waitFor({ timeout: 20_000 });
    assert.deepEqual(await axeViolations(page), []);

    // A second name is refused by oned, and the form shows oned's words.
    await page.goto(`${cloud.url}hosts/new`);
    await page.getByLabel('Host name').fill('dummy-a');
    await page.getByRole('button', { name: 'Create host' }).click();
    await page.getByRole('alert').filter({ hasText: /already taken/ }).waitFor();
    await page.goto(`${cloud.url}hosts/${hostId}`);

    // Monitoring: the charts are drawn once samples exist.
    await page.getByRole('tab', { name: 'Monitoring' }).click();
    await page.getByTestId('cpu-chart').locator('canvas').waitFor({ timeout: 20_000 });
    await page.getByTestId('memory-chart').locator('canvas').waitFor();
    await page.getByText(/Latest: .* used of .* CPUs/).waitFor();
    await screenshot(page, 'host-detail');

    // VMs on the host: one deployed there by oned appears in the tab's table.
    const vm = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "on-dummy-a"\nCPU = 1\nMEMORY = 128', false]));
    await cloud.oned.ok('one.vm.deploy', [vm, hostId, false, -1]);
    await page.getByRole('tab', { name: 'VMs' }).click();
    await page
      .locator(`tr[data-id="${vm}"]`)
      .getByText('on-dummy-a')
      .waitFor({ timeout: 15_000 })
      .catch(async (err) => {
        const seen = await page.evaluate(async (h) => (await fetch(`/api/pool/vm?HID=${h}`)).text(), hostId);
        const info = String(await cloud.oned.ok('one.vm.info', [vm]));
        throw new Error(`${(err as Error).message}\nserver: ${seen.slice(0, 400)}\noned: ${/<STATE>.*?<\/LCM_STATE>/.exec(info)?.[0]} HID ${/<HID>(\d+)/.exec(info)?.[1]}`);
      });
    await page.getByRole('tab', { name: 'Info' }).click();

    // Status changes, each after its confirmation; the badge follows.
    const badge = page.locator('.page-head .state');
    await confirmAction(page, 'Disable');
    await badge.filter({ hasText: /^dsbl$/ }).waitFor({ timeout: 15_000 });
    assert.match(await cloud.oned.ok('one.host.info', [hostId]).then(String), /<STATE>4<\/STATE>/);
    await confirmAction(page, 'Enable');
    await badge.filter({ hasText: /^(on|init|update)$/ }).waitFor({ timeout: 15_000 });
    await confirmAction(page, 'Offline');
    await badge.filter({ hasText: /^off$/ }).waitFor({ timeout: 15_000 });
    assert.match(await cloud.oned.ok('one.host.info', [hostId]).then(String), /<STATE>8<\/STATE>/);
    // Cancel leaves the host as it is.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm Delete' }).getByRole('button', { name: 'Cancel' }).click();
    assert.match(await cloud.oned.ok('one.host.info', [hostId]).then(String), /dummy-a/);
    // Deleting a host with a VM is refused by oned: its words show in the dialog.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm Delete' });
    await dialog.getByRole('button', { name: 'Confirm delete' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await confirmAction(page, 'Enable');
    await badge.filter({ hasText: /^(on|init|update)$/ }).waitFor({ timeout: 15_000 });
    // Flush, as `onehost flush`: the host is disabled and its VM flagged for rescheduling.
    await confirmAction(page, 'Flush');
    await badge.filter({ hasText: /^dsbl$/ }).waitFor({ timeout: 15_000 });
    assert.match(String(await cloud.oned.ok('one.vm.info', [vm])), /<RESCHED>1<\/RESCHED>/);
    await confirmAction(page, 'Enable');

    // The list shows the host with its VM and allocation.
    await page.getByRole('link', { name: 'Hosts' }).click();
    const row = page.locator(`tr[data-id="${hostId}"]`);
    await row.getByText('dummy-a').waitFor();
    await row.getByText(/^1 \/ /).waitFor({ timeout: 15_000 });
    // Enabled again, the host is monitored again: "on" in the list, without a reload.
    await row.locator('.state', { hasText: /^on$/ }).waitFor({ timeout: 20_000 });
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'hosts');
    await context.close();
  });

  test('a cluster created through the form takes the host', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}clusters`);
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByText("Enter the cluster's name").waitFor();
    await page.getByLabel('New cluster name').fill('rack-1');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByRole('heading', { name: /^Cluster \d+: rack-1$/ }).waitFor();
    const clusterId = Number(/\/clusters\/(\d+)/.exec(page.url())![1]);
    await page.getByLabel('Add a host').selectOption(String(hostId));
    await page.getByRole('button', { name: 'Add host' }).click();
    await page.getByRole('dialog', { name: 'Confirm Add host' }).getByRole('button', { name: 'Confirm add host' }).click();
    await page.getByTestId('cluster-hosts').getByText(`${hostId}: dummy-a`).waitFor();
    assert.match(String(await cloud.oned.ok('one.host.info', [hostId])), new RegExp(`<CLUSTER_ID>${clusterId}</CLUSTER_ID>`));
    // A cluster with a host cannot be deleted: oned's refusal shows in the dialog.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm Delete' });
    await dialog.getByRole('button', { name: 'Confirm delete' }).click();
    await dialog.getByRole('alert').filter({ hasText: /not empty/ }).waitFor();
    await context.close();
  });

  test("the dashboard's counts are oned's, and follow it live", async () => {
    // VMs in several states: pending, on hold, running, powered off.
    const alloc = async (name: string, hold = false) => Number(await cloud.oned.ok('one.vm.allocate', [`NAME = "${name}"\nCPU = 0.5\nMEMORY = 64`, hold]));
    await alloc('pend-1');
    await alloc('pend-2');
    await alloc('held', true);
    const run = await alloc('run');
    await cloud.oned.ok('one.vm.deploy', [run, 0, false, -1]);
    const off = await alloc('off');
    await cloud.oned.ok('one.vm.deploy', [off, 0, false, -1]);
    await waitState(cloud, off, /<LCM_STATE>3<\/LCM_STATE>/);
    await cloud.oned.ok('one.vm.action', ['poweroff-hard', off]);
    await waitState(cloud, off, /<STATE>8<\/STATE>/);

    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const expected = await onedCounts(cloud);
    const shown = async () => (await page.getByTestId('vm-states').locator('li').allInnerTexts()).map((t) => t.trim()).sort();
    await waitFor(async () => JSON.stringify(await shown()) === JSON.stringify(expected.lines));
    assert.equal(await page.getByTestId('vm-total').innerText(), String(expected.total));
    assert.ok(expected.lines.includes('PENDING: 2') && expected.lines.includes('HOLD: 1') && expected.lines.includes('POWEROFF: 1'), expected.lines.join());
    await page.getByTestId('host-states').getByText('MONITORED: 2').waitFor();
    await page.getByText(/CPU allocated/).waitFor();
    // A new VM is counted without a reload.
    await alloc('pend-3');
    await page.getByTestId('vm-states').getByText('PENDING: 3').waitFor({ timeout: 15_000 });
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'dashboard');
    await context.close();
  });

  test('on a phone-sized screen the dashboard and the hosts list fit and the menu folds', async () => {
    // Logged in by hand: on a phone the menu is folded, so the harness's wait for it does not apply.
    const { context, page } = await cloud.page(undefined, { width: 390, height: 844 });
    await page.getByLabel('User name').fill(ADMIN.user);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByTestId('host-states').getByText(/MONITORED: \d/).waitFor();
    // Nothing of the dashboard sticks out of the page's main area. (The shared top bar is
    // measured by the layout's own tests: at 390 px it is a few pixels wider than the screen.)
    const sticking = await page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const d = (globalThis as any).document;
      const main = d.querySelector('main').getBoundingClientRect();
      return [...d.querySelectorAll('main *')]
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        .filter((e: any) => e.getBoundingClientRect().right > main.right + 1)
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        .map((e: any) => `${e.tagName}.${e.className}`);
    });
    assert.deepEqual(sticking, []);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.locator('tr[data-id="0"]').getByText('host0').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitState(cloud: UiCloud, id: number, re: RegExp): Promise<void> {
  await waitFor(async () => re.test(String(await cloud.oned.ok('one.vm.info', [id]))));
}

/** oned's own VM counts by state name, as the dashboard writes them ("RUNNING: 1"). */
async function onedCounts(cloud: UiCloud): Promise<{ total: number; lines: string[] }> {
  const xml = String(await cloud.oned.ok('one.vmpool.info', [-2, -1, -1, -1]));
  const vms = [...xml.matchAll(/<VM>.*?<STATE>(\d+)<\/STATE><LCM_STATE>(\d+)<\/LCM_STATE>/gs)];
  const VM = ['INIT', 'PENDING', 'HOLD', 'ACTIVE', 'STOPPED', 'SUSPENDED', 'DONE', 'FAILED', 'POWEROFF', 'UNDEPLOYED'];
  const LCM: Record<string, string> = { 3: 'RUNNING', 1: 'PROLOG', 2: 'BOOT' };
  const counts = new Map<string, number>();
  for (const [, s, l] of vms) {
    const name = s === '3' ? (LCM[l!] ?? `LCM ${l}`) : VM[Number(s)]!;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return { total: vms.length, lines: [...counts].map(([n, c]) => `${n}: ${c}`).sort() };
}

/**
 * VMs and templates in the operations center, in Chromium as oneadmin: a template made through
 * the form, instantiated from its page, deployed from the VM page and followed live to RUNNING;
 * its log and monitoring tabs; power off, resume and terminate with confirmations; oned's
 * refusals (a wrong state, a template syntax error) in the page; field errors that send nothing;
 * axe on the main pages; a phone-sized screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ONEADMIN_PASSWORD } from './harness.js';
import { axeViolations, confirmAction, screenshot, UI_SKIP, UiCloud, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

/** A number from oned's XML answer (`<ID>3</ID>`). */
const field = (xml: unknown, name: string): string => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(String(xml))?.[1] ?? '';

/** Counts the app's calls that would change something (POST /api/call). */
function countCalls(page: Page): { n: number } {
  const c = { n: 0 };
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/call')) c.n++;
  });
  return c;
}

describe('operations center: VMs and templates', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let image = -1;
  let vnet = -1;
  before(async () => {
    // VM_POLLING_INTERVAL: the dummy driver answers POLL, so running VMs get monitoring samples.
    cloud = await UiCloud.start({ oned: { conf: 'VM_POLLING_INTERVAL = 1' } });
    const o = cloud.oned;
    // Storage whose drivers do nothing, so a VM with a disk deploys on the dummy host.
    await o.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const ds = Number(await o.ok('one.datastore.allocate', ['NAME = "dummy-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]));
    image = Number(await o.ok('one.image.allocate', ['NAME = "base-os"\nPATH = "/var/tmp/base.img"\nTYPE = "OS"\nSIZE = "100"', ds]));
    vnet = Number(await o.ok('one.vn.allocate', ['NAME = "private"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.10", SIZE = "50" ]', -1]));
    await until('the image to be READY', async () => field(await o.ok('one.image.info', [image]), 'STATE') === '1');
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a template from the form, instantiated from its page, deployed and followed live; log, monitoring, power off, resume, terminate', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'VM templates' }).click();
    await page.getByRole('heading', { name: 'VM templates' }).waitFor();
    await page.getByRole('link', { name: 'Create a template' }).click();
    const form = page.getByRole('form', { name: 'New VM template' });
    await form.getByLabel('Name', { exact: true }).fill('web');
    await form.getByLabel('CPU (share of physical CPUs)').fill('0.5');
    await form.getByLabel('Virtual CPUs').fill('2');
    await form.getByLabel('Memory', { exact: true }).fill('1');
    await form.getByLabel('Memory unit').selectOption('GB');
    await form.getByRole('button', { name: 'Add a disk' }).click();
    await form.getByLabel('Image of disk 1').selectOption({ label: `base-os (ID ${image})` });
    await form.getByRole('button', { name: 'Add a network interface' }).click();
    await form.getByLabel('Network of interface 1').selectOption({ label: `private (ID ${vnet})` });
    await form.getByLabel('SSH public key (optional)').fill('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('heading', { name: 'New VM template' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'template-form');
    await form.getByRole('button', { name: 'Create template' }).click();
    const heading = page.getByRole('heading', { name: /^Template \d+: web$/ });
    await heading.waitFor();
    const tid = Number(/Template (\d+)/.exec((await heading.textContent())!)![1]);
    const tpl = String(await cloud.oned.ok('one.template.info', [tid]));
    assert.equal(field(tpl, 'MEMORY'), '1024');
    assert.equal(field(tpl, 'VCPU'), '2');
    assert.equal(field(tpl, 'IMAGE_ID'), String(image));
    assert.equal(field(tpl, 'NETWORK_ID'), String(vnet));
    assert.match(field(tpl, 'SSH_PUBLIC_KEY'), /^ssh-ed25519 /);
    assert.equal(field(tpl, 'TYPE'), 'VNC');

    await page.getByRole('link', { name: 'Instantiate', exact: true }).click();
    const inst = page.getByRole('form', { name: 'Instantiate' });
    await inst.getByLabel('VM name (optional: oned names it after the template)').fill('web-1');
    await inst.getByLabel('Memory', { exact: true }).fill('512');
    await screenshot(page, 'instantiate');
    await inst.getByRole('button', { name: 'Instantiate' }).click();
    const vmHeading = page.getByRole('heading', { name: /^VM \d+: web-1$/ });
    await vmHeading.waitFor();
    const id = Number(/VM (\d+)/.exec((await vmHeading.textContent())!)![1]);
    assert.equal(field(await cloud.oned.ok('one.vm.info', [id]), 'MEMORY'), '512', 'the override reached oned');
    const state = page.getByTestId('vm-state');
    await state.getByText('PENDING').waitFor();

    // Deploy from the page: the host is chosen in the dialog; the state follows without a reload.
    await page.getByRole('button', { name: 'Deploy' }).click();
    const deploy = page.getByRole('dialog', { name: `Deploy VM ${id} (web-1)` });
    await deploy.getByLabel('Host').selectOption({ label: 'host0 (ID 0)' });
    await deploy.getByRole('button', { name: 'Confirm deploy' }).click();
    await state.getByText('RUNNING').waitFor({ timeout: 30_000 });

    await page.getByRole('tab', { name: 'Network' }).click();
    await page.getByRole('cell', { name: '10.0.0.10' }).waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('cell', { name: 'host0 (ID 0)' }).waitFor();

    await page.getByRole('tab', { name: 'Log' }).click();
    await page.getByTestId('vm-log').getByText(/New LCM state is RUNNING/).waitFor({ timeout: 15_000 });

    await until('a monitoring sample', async () => String(await cloud.oned.ok('one.vm.monitoring', [id])).includes('<MONITORING>'));
    await page.getByRole('tab', { name: 'Monitoring' }).click();
    const cpuChart = page.getByRole('img', { name: `CPU use of VM ${id} over time` });
    await cpuChart.waitFor({ timeout: 20_000 });
    assert.equal(await cpuChart.evaluate((c) => c.tagName), 'CANVAS');
    await page.getByRole('img', { name: `Memory use of VM ${id} over time` }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the monitoring tab passes axe too');

    await page.getByRole('tab', { name: 'Info' }).click();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'vm-detail');

    await confirmAction(page, 'Power off', 'VM actions');
    await state.getByText('POWEROFF').waitFor({ timeout: 30_000 });
    await confirmAction(page, 'Resume', 'VM actions');
    await state.getByText('RUNNING').waitFor({ timeout: 30_000 });
    await confirmAction(page, 'Terminate', 'VM actions');
    await state.getByText('DONE').waitFor({ timeout: 30_000 });
    assert.equal(field(await cloud.oned.ok('one.vm.info', [id]), 'STATE'), '6');
    await context.close();
  });

  test('bulk actions from the VM list; an action the state does not allow shows oned\'s refusal', async () => {
    const a = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "bulk-a"\nCPU = 0.1\nMEMORY = 32', false]));
    const b = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "bulk-b"\nCPU = 0.1\nMEMORY = 32', false]));
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'VMs', exact: true }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await page.getByLabel('Select bulk-a').check();
    await page.getByLabel('Select bulk-b').check();
    await page.getByLabel('Action for the selected VMs').selectOption('hold');
    await page.getByRole('button', { name: 'Hold selected' }).click();
    await page.getByRole('dialog', { name: 'Confirm Hold selected' }).getByRole('button', { name: 'Confirm hold selected' }).click();
    await page.locator(`tr[data-id="${a}"]`).getByText('HOLD').waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-id="${b}"]`).getByText('HOLD').waitFor({ timeout: 15_000 });
    assert.deepEqual(await axeViolations(page), []);

    // Suspend is not allowed on HOLD: oned says so, in the dialog, for each VM.
    await page.getByLabel(`Select bulk-a`).check();
    await page.getByLabel('Action for the selected VMs').selectOption('suspend');
    await page.getByRole('button', { name: 'Suspend selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm Suspend selected' });
    await dialog.getByRole('button', { name: 'Confirm suspend selected' }).click();
    await dialog.getByRole('alert').getByText(new RegExp(`^VM ${a}: .*Error performing action "suspend": This action is not available for state HOLD`)).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(field(await cloud.oned.ok('one.vm.info', [a]), 'STATE'), '2', 'still on hold');
    await context.close();
  });

  test('invalid form values show field errors and send nothing; raw text with a syntax error gets oned\'s message', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(new URL('/templates/new', cloud.url).href);
    const calls = countCalls(page);
    const form = page.getByRole('form', { name: 'New VM template' });
    await form.getByLabel('CPU (share of physical CPUs)').fill('-1');
    await form.getByLabel('Virtual CPUs').fill('1.5');
    await form.getByLabel('Memory', { exact: true }).fill('lots');
    await form.getByRole('button', { name: 'Add a disk' }).click();
    await form.getByLabel('SSH public key (optional)').fill('not a key');
    await form.getByRole('button', { name: 'Create template' }).click();
    await form.getByText('Enter a name').waitFor();
    await form.getByText('CPU must be a number above 0').waitFor();
    await form.getByText('Virtual CPUs must be a whole number above 0').waitFor();
    await form.getByText('Memory must be a number above 0').waitFor();
    await form.getByText('Choose an image for disk 1').waitFor();
    await form.getByText('Each line must be an SSH public key').waitFor();
    assert.equal(await form.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(calls.n, 0, 'nothing was sent to oned');

    const bad = 'NAME = "broken"\nCPU = [ 1';
    const [ok, message] = await cloud.oned.call('one.template.allocate', [bad]);
    assert.equal(ok, false);
    await page.getByRole('tab', { name: 'Raw text' }).click();
    const raw = page.getByRole('form', { name: 'Template text' });
    await raw.getByLabel('Template text').fill('');
    await raw.getByRole('button', { name: 'Create template' }).click();
    await raw.getByText('Enter the template').waitFor();
    assert.equal(calls.n, 0);
    await raw.getByLabel('Template text').fill(bad);
    await raw.getByRole('button', { name: 'Create template' }).click();
    await raw.getByRole('alert').getByText(String(message)).waitFor();
    assert.equal(calls.n, 1);
    await context.close();
  });

  test('a template\'s page: raw update (oned refuses a syntax error), clone under a new name, delete', async () => {
    const tid = Number(await cloud.oned.ok('one.template.allocate', ['NAME = "base"\nCPU = "1"\nMEMORY = "128"']));
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(new URL(`/templates/${tid}`, cloud.url).href);
    await page.getByRole('heading', { name: `Template ${tid}: base` }).waitFor();
    await page.getByRole('tab', { name: 'Update' }).click();
    const form = page.getByRole('form', { name: 'Template text (replaces the whole template)' });
    const text = form.getByLabel('Template text (replaces the whole template)');
    assert.match(await text.inputValue(), /MEMORY = "128"/);
    const broken = 'CPU = "2"\nMEMORY = "256"\nBROKEN = [';
    const [updated, refusal] = await cloud.oned.call('one.template.update', [tid, broken, 0]);
    assert.equal(updated, false);
    await text.fill(broken);
    await form.getByRole('button', { name: 'Update template' }).click();
    await form.getByRole('alert').getByText(String(refusal)).waitFor();
    await text.fill('CPU = "2"\nMEMORY = "256"');
    await form.getByRole('button', { name: 'Update template' }).click();
    await page.getByRole('tab', { name: 'Info' }).click();
    await page.getByText('256 MB').waitFor();
    assert.equal(field(await cloud.oned.ok('one.template.info', [tid]), 'MEMORY'), '256');

    await page.getByRole('button', { name: 'Clone' }).click();
    const clone = page.getByRole('dialog', { name: `Clone template ${tid} (base)` });
    await clone.getByRole('button', { name: 'Confirm clone' }).click();
    await clone.getByRole('alert').getByText('Enter a name for the copy').waitFor();
    await clone.getByLabel('Name of the copy').fill('base-copy');
    await clone.getByRole('button', { name: 'Confirm clone' }).click();
    const copyHeading = page.getByRole('heading', { name: /^Template \d+: base-copy$/ });
    await copyHeading.waitFor();
    const copy = Number(/Template (\d+)/.exec((await copyHeading.textContent())!)![1]);
    assert.notEqual(copy, tid);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm Delete' }).getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { name: 'VM templates' }).waitFor();
    const [ok] = await cloud.oned.call('one.template.info', [copy]);
    assert.equal(ok, false, 'the copy is gone');
    await context.close();
  });

  test('the log endpoint asks oned first: a user who may not see the VM gets oned\'s refusal, not the file', async () => {
    const vm = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "private-vm"\nCPU = 0.1\nMEMORY = 32', true]));
    await cloud.oned.ok('one.user.allocate', ['carol', 'carol-pass', 'core', []]);
    const { context, page } = await cloud.page({ user: 'carol', password: 'carol-pass' });
    const r = await page.evaluate(async (id) => {
      const res = await fetch(`/api/vm/${id}/log`);
      return { status: res.status, body: await res.text() };
    }, vm);
    assert.equal(r.status, 403);
    assert.match(r.body, /Not authorized/i);
    assert.doesNotMatch(r.body, /\[Z0\]/, 'no log line leaks');
    await context.close();
  });

  test('system snapshots from the Snapshots tab: taken, reverted and deleted while RUNNING; refused otherwise', async () => {
    const id = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "snappy"\nCPU = 0.1\nMEMORY = 32', false]));
    await cloud.oned.ok('one.vm.deploy', [id, 0, false, -1]);
    await until('the VM to run', async () => /<LCM_STATE>3<\/LCM_STATE>/.test(String(await cloud.oned.ok('one.vm.info', [id]))));
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    await page.getByText('This VM has no snapshots.').waitFor();
    await page.getByRole('button', { name: 'Take a snapshot' }).click();
    const take = page.getByRole('dialog', { name: `Take a snapshot of VM ${id}` });
    await take.getByLabel('Snapshot name (optional)').fill('before-upgrade');
    await take.getByRole('button', { name: /^Confirm/ }).click();
    const row = page.locator('tr[data-snapshot="0"]');
    await row.getByRole('cell', { name: 'before-upgrade', exact: true }).waitFor({ timeout: 20_000 });
    assert.match(String(await cloud.oned.ok('one.vm.info', [id])), /<NAME>(<!\[CDATA\[)?before-upgrade/);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Revert to snapshot 0' }).click();
    await page.getByRole('dialog', { name: 'Confirm Revert to snapshot 0' }).getByRole('button', { name: 'Confirm revert to snapshot 0' }).click();
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor({ timeout: 20_000 });
    assert.deepEqual(await axeViolations(page), []);
    await row.getByRole('button', { name: 'Delete snapshot 0' }).click();
    await page.getByRole('dialog', { name: 'Confirm Delete snapshot 0' }).getByRole('button', { name: 'Confirm delete snapshot 0' }).click();
    await page.getByText('This VM has no snapshots.').waitFor({ timeout: 20_000 });
    // Powered off: the button is disabled and the page says why.
    await cloud.oned.ok('one.vm.action', ['poweroff-hard', id]);
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByRole('button', { name: 'Take a snapshot' }).isDisabled(), true);
    await page.getByText('Snapshots are taken, reverted and deleted while the VM is RUNNING.').waitFor();
    await context.close();
  });

  test('resize from the VM page: a bad value is named in the dialog, a good one reaches oned, a hot one without VCPU_MAX is refused with oned\'s words', async () => {
    const id = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "growing"\nCPU = 0.1\nVCPU = 1\nMEMORY = 32', false]));
    await cloud.oned.ok('one.vm.deploy', [id, 0, false, -1]);
    await until('the VM to run', async () => /<LCM_STATE>3<\/LCM_STATE>/.test(String(await cloud.oned.ok('one.vm.info', [id]))));
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    const dialog = page.getByRole('dialog', { name: `Resize VM ${id} (growing)` });
    // Hot: this VM has no VCPU_MAX, so oned refuses more virtual CPUs.
    await page.getByRole('group', { name: 'VM actions' }).getByRole('button', { name: 'Resize', exact: true }).click();
    await dialog.getByLabel('Virtual CPUs').fill('2');
    await dialog.getByRole('button', { name: 'Confirm resize' }).click();
    await dialog.getByRole('alert').filter({ hasText: /VCPU_MAX/ }).waitFor();
    assert.match(String(await cloud.oned.ok('one.vm.info', [id])), /<VCPU><!\[CDATA\[1\]\]><\/VCPU>|<VCPU>1<\/VCPU>/, 'unchanged');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // Cold: powered off, any size within quota and host.
    await cloud.oned.ok('one.vm.action', ['poweroff-hard', id]);
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor({ timeout: 20_000 });
    await page.getByRole('group', { name: 'VM actions' }).getByRole('button', { name: 'Resize', exact: true }).click();
    await dialog.getByLabel('Memory (MB)').fill('abc');
    await dialog.getByRole('button', { name: 'Confirm resize' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Memory must be a whole number of MB' }).waitFor();
    await dialog.getByLabel('Memory (MB)').fill('64');
    await dialog.getByLabel('Virtual CPUs').fill('2');
    await dialog.getByRole('button', { name: 'Confirm resize' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const xml = String(await cloud.oned.ok('one.vm.info', [id]));
    assert.match(xml, /<MEMORY>(<!\[CDATA\[)?64(\]\]>)?<\/MEMORY>/);
    assert.match(xml, /<VCPU>(<!\[CDATA\[)?2(\]\]>)?<\/VCPU>/);
    await context.close();
  });

  test('on a 390x844 screen: instantiate from the template list, the VM page\'s tabs and a confirmed terminate', async () => {
    const tid = Number(await cloud.oned.ok('one.template.allocate', ['NAME = "phone"\nCPU = "0.1"\nMEMORY = "64"']));
    // Logged in on a wide screen (the login helper waits for the menu, folded on phones), then a phone's.
    const { context, page } = await cloud.page(ADMIN);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'VM templates' }).click();
    await page.getByRole('link', { name: 'Instantiate phone' }).click();
    await page.getByRole('heading', { name: `Instantiate template ${tid}: phone` }).waitFor();
    const inst = page.getByRole('form', { name: 'Instantiate' });
    await inst.getByLabel('Number of instances').fill('0');
    await inst.getByRole('button', { name: 'Instantiate' }).click();
    await inst.getByText('The number of instances must be a whole number above 0').waitFor();
    await inst.getByLabel('Number of instances').fill('1');
    await inst.getByLabel('Start on hold (the scheduler leaves it until released)').check();
    await inst.getByRole('button', { name: 'Instantiate' }).click();
    const heading = page.getByRole('heading', { name: /^VM \d+: phone-\d+$/ });
    await heading.waitFor();
    await page.getByTestId('vm-state').getByText('HOLD').waitFor();
    // The page's own content fits the phone's width (nothing inside it scrolls sideways).
    const section = page.locator('main section').first();
    const [scroll, client] = await section.evaluate((e) => [e.scrollWidth, e.clientWidth]);
    assert.ok(scroll <= client, `the VM page fits the screen (${scroll}px of content in ${client}px)`);
    assert.ok((await page.getByRole('button', { name: 'Terminate', exact: true }).boundingBox())!.x + 10 < 390, 'the actions are on screen');
    await page.getByRole('tab', { name: 'Capacity' }).click();
    await page.getByText('64 MB').waitFor();
    await page.getByRole('tab', { name: 'Log' }).click();
    await page.getByTestId('vm-log').or(page.getByText(/has no log yet/)).first().waitFor();
    await confirmAction(page, 'Terminate', 'VM actions');
    await page.getByTestId('vm-state').getByText('DONE').waitFor({ timeout: 20_000 });
    await screenshot(page, 'vm-detail-phone');
    await context.close();
  });
});

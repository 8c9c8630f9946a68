/**
 * Day-2 operations on the VM page, in Chromium as oneadmin: scheduled actions (added for a few
 * seconds ahead, seen listed, run on time by oned on the dummy VM, edited into a weekly repeat,
 * deleted; a past time refused by the form, and by oned when the browser's clock lags) and the
 * Update configuration dialog (context changed while RUNNING, boot, features, input, graphics
 * and raw data while POWEROFF, seen in the Template tab and one.vm.info; a bad value named by the
 * form, oned's refusal shown, disabled with the reason when SUSPENDED); scheduled actions in the
 * template form, reaching the VMs made from it; axe on the tab, the dialogs and the form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ONEADMIN_PASSWORD } from './harness.js';
import { axeViolations, confirmAction, screenshot, UI_SKIP, UiCloud, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

/** Counts the app's calls to oned (POST /api/call). */
function countCalls(page: Page): { n: number } {
  const c = { n: 0 };
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/call')) c.n++;
  });
  return c;
}

/** Epoch seconds as a datetime-local value (local time; the browser runs in this machine's zone). */
function localInput(secs: number): string {
  const d = new Date(secs * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** An attribute of oned's XML (first match), CDATA or not. */
const xmlValue = (xml: string, name: string): string | undefined => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(xml)?.[1];

describe('operations center: scheduled actions and configuration of a VM', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start();
    // A system datastore whose drivers do nothing: a VM with a context CD deploys on the dummy host.
    await cloud.oned.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  });
  after(async () => {
    await cloud?.stop();
  });

  async function runningVm(template: string): Promise<number> {
    const id = Number(await cloud.oned.ok('one.vm.allocate', [template, false]));
    await cloud.oned.ok('one.vm.deploy', [id, 0, false, -1]);
    await until('the VM to run', async () => /<LCM_STATE>3<\/LCM_STATE>/.test(String(await cloud.oned.ok('one.vm.info', [id]))));
    return id;
  }

  const info = async (id: number) => String(await cloud.oned.ok('one.vm.info', [id]));

  test('Sched actions tab: a past time refused, an action added that oned runs on time, edited into a weekly repeat, deleted; oned refuses a time the lagging browser thought ahead', async () => {
    const id = await runningVm('NAME = "nightly"\nCPU = 0.1\nMEMORY = 32');
    const { context, page } = await cloud.page(ADMIN);
    const calls = countCalls(page);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    await page.getByRole('tab', { name: 'Sched actions' }).click();
    await page.getByText('This VM has no scheduled actions.').waitFor();
    assert.deepEqual(await axeViolations(page), []);

    // "+0" seconds after the VM's start is already past: the form says so and sends nothing.
    await page.getByRole('button', { name: 'Add a scheduled action', exact: true }).click();
    const add = page.getByRole('dialog', { name: `Schedule an action on VM ${id}` });
    await add.getByLabel('Seconds after the VM started').check();
    await add.getByLabel('Seconds after the start').fill('0');
    const before = calls.n;
    await add.getByRole('button', { name: /^Confirm/ }).click();
    await add.getByRole('alert').filter({ hasText: /is in the past: choose a later one/ }).waitFor();
    await add.getByLabel('Seconds after the start').fill('soon');
    await add.getByRole('button', { name: /^Confirm/ }).click();
    await add.getByRole('alert').filter({ hasText: "Seconds after the VM's start must be a whole number" }).waitFor();
    assert.equal(calls.n, before, 'nothing sent');
    // Cancelled and opened again: the error is gone, the values are kept.
    await add.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Add a scheduled action', exact: true }).click();
    assert.equal(await add.getByRole('alert').count(), 0);
    assert.equal(await add.getByLabel('Seconds after the start').inputValue(), 'soon');

    // Power off, 6 seconds from now, as an absolute date and time.
    await add.getByLabel('At a date and time').check();
    await add.getByLabel('Action').selectOption('poweroff');
    const at = Math.floor(Date.now() / 1000) + 6;
    await add.getByLabel('Date and time', { exact: true }).fill(localInput(at));
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'vm-sched-action');
    await add.getByRole('button', { name: /^Confirm/ }).click();
    await add.waitFor({ state: 'hidden' });
    const saId = Number(/<SCHED_ACTION>.*?<ID>(\d+)<\/ID>/s.exec(await info(id))?.[1]);
    const row = page.locator(`tr[data-sched="${saId}"]`);
    await row.getByRole('cell', { name: 'poweroff', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'not yet', exact: true }).waitFor();
    let xml = await info(id);
    assert.equal(xmlValue(xml, 'TIME'), String(at));
    assert.equal(xmlValue(xml, 'ACTION'), 'poweroff');

    // oned runs it on time: the VM powers off, the row says when it ran.
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor({ timeout: 30_000 });
    assert.ok(Date.now() / 1000 >= at, 'not before its time');
    await until('DONE in the row', async () => (await row.getByRole('cell', { name: 'not yet', exact: true }).count()) === 0);
    xml = await info(id);
    assert.ok(Number(xmlValue(xml, 'DONE')) >= at, `DONE ${xmlValue(xml, 'DONE')} is the run's time`);

    // Edited: resume, weekly on Monday and Wednesday, twice, from tomorrow.
    await row.getByRole('button', { name: `Edit scheduled action ${saId}`, exact: true }).click();
    const edit = page.getByRole('dialog', { name: `Edit scheduled action ${saId} of VM ${id}` });
    assert.equal(new Date(await edit.getByLabel('Date and time', { exact: true }).inputValue()).getTime() / 1000, at, 'prefilled with its time');
    await edit.getByLabel('Action').selectOption('resume');
    await edit.getByLabel('Date and time', { exact: true }).fill(localInput(at + 86_400));
    await edit.getByLabel('Repeats').selectOption('0');
    await edit.getByLabel(/^Days/).fill('9');
    await edit.getByRole('button', { name: /^Confirm/ }).click();
    await edit.getByRole('alert').filter({ hasText: 'Weekly repeat: Weekdays' }).waitFor();
    await edit.getByLabel(/^Days/).fill('1,3');
    await edit.getByLabel('Ends').selectOption('1');
    await edit.getByLabel('Number of runs', { exact: true }).fill('2');
    assert.deepEqual(await axeViolations(page), []);
    await edit.getByRole('button', { name: /^Confirm/ }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByRole('cell', { name: 'Weekly on Mon, Wed', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'after 2 more runs', exact: true }).waitFor();
    xml = await info(id);
    assert.equal(xmlValue(xml, 'ACTION'), 'resume');
    assert.equal(xmlValue(xml, 'TIME'), String(at + 86_400));
    assert.equal(xmlValue(xml, 'REPEAT'), '0');
    assert.equal(xmlValue(xml, 'DAYS'), '1,3');
    assert.equal(xmlValue(xml, 'END_TYPE'), '1');
    assert.equal(xmlValue(xml, 'END_VALUE'), '2');

    // Deleted after a confirmation.
    await confirmAction(page, `Delete scheduled action ${saId}`);
    await page.getByText('This VM has no scheduled actions.').waitFor();
    assert.doesNotMatch(await info(id), /<SCHED_ACTION>/);
    await context.close();

    // A browser whose clock is two hours behind takes an hour ago for the future: oned refuses, the dialog shows why.
    const lagging = await cloud.page(ADMIN);
    await lagging.page.clock.install({ time: Date.now() - 2 * 3600_000 });
    await lagging.page.goto(`${cloud.url}vms/${id}`);
    await lagging.page.getByRole('tab', { name: 'Sched actions' }).click();
    await lagging.page.getByRole('button', { name: 'Add a scheduled action', exact: true }).click();
    const skewed = lagging.page.getByRole('dialog', { name: `Schedule an action on VM ${id}` });
    await skewed.getByLabel('Date and time', { exact: true }).fill(localInput(Math.floor(Date.now() / 1000) - 3600));
    await skewed.getByRole('button', { name: /^Confirm/ }).click();
    await skewed.getByRole('alert').filter({ hasText: /TIME \d+ is in the past/ }).waitFor();
    assert.doesNotMatch(await info(id), /<SCHED_ACTION>/);
    await lagging.context.close();
  });

  test('Update configuration: context live while RUNNING; OS, features, input, graphics, raw while POWEROFF; a bad value named; oned\'s refusal shown; disabled when SUSPENDED', async () => {
    const id = await runningVm('NAME = "conf"\nCPU = 0.1\nMEMORY = 32\nOS = [ BOOT = "disk0" ]\nGRAPHICS = [ TYPE = "VNC", LISTEN = "0.0.0.0" ]\nCONTEXT = [ ROLE = "db" ]');
    const { context, page } = await cloud.page(ADMIN);
    const calls = countCalls(page);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    const actions = page.getByRole('group', { name: 'VM actions' });
    const dialog = page.getByRole('dialog', { name: `Update the configuration of VM ${id} (conf)` });

    // RUNNING: the context changes now.
    await actions.getByRole('button', { name: 'Update configuration', exact: true }).click();
    await dialog.getByText('The VM is running: a context change reaches it now').waitFor();
    assert.equal(await dialog.getByLabel('Boot order').inputValue(), 'disk0', 'prefilled');
    assert.equal(await dialog.getByLabel('Graphics type').inputValue(), 'VNC');
    const keys = await dialog.getByLabel(/^Context key \d+$/).evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    const role = keys.indexOf('ROLE') + 1;
    assert.ok(role > 0, `ROLE among the context keys ${keys.join(', ')}`);
    await dialog.getByLabel(`Context value ${role}`, { exact: true }).fill('web');
    await dialog.getByRole('button', { name: 'Add a context key' }).click();
    await dialog.getByLabel(`Context key ${keys.length + 1}`, { exact: true }).fill('tier');
    await dialog.getByLabel(`Context value ${keys.length + 1}`, { exact: true }).fill('front');
    assert.deepEqual(await axeViolations(page), []);
    await dialog.getByRole('heading').scrollIntoViewIfNeeded();
    await screenshot(page, 'vm-updateconf');
    await dialog.getByRole('button', { name: /^Confirm/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    let xml = await info(id);
    assert.match(xml, /<ROLE><!\[CDATA\[web\]\]><\/ROLE>|<ROLE>web<\/ROLE>/);
    assert.match(xml, /<TIER><!\[CDATA\[front\]\]><\/TIER>|<TIER>front<\/TIER>/);
    assert.match(xml, /<BOOT><!\[CDATA\[disk0\]\]><\/BOOT>|<BOOT>disk0<\/BOOT>/, 'the rest as it was');
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor({ timeout: 20_000 });

    // POWEROFF: boot order, features, input, graphics keymap, raw data.
    await cloud.oned.ok('one.vm.action', ['poweroff-hard', id]);
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor({ timeout: 20_000 });
    await actions.getByRole('button', { name: 'Update configuration', exact: true }).click();
    const before = calls.n;
    await dialog.getByRole('button', { name: /^Confirm/ }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Nothing changed' }).waitFor();
    await dialog.getByLabel('Boot order').fill('floppy');
    await dialog.getByRole('button', { name: /^Confirm/ }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Boot order is a comma-separated list of disk<N> and nic<N>' }).waitFor();
    await dialog.getByLabel('Boot order').fill('nic0,disk0');
    await dialog.getByLabel('Keymap').fill('not a keymap');
    await dialog.getByRole('button', { name: /^Confirm/ }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Keymap "not a keymap"' }).waitFor();
    assert.equal(calls.n, before, 'nothing sent for bad values');
    await dialog.getByLabel('Keymap').fill('de');
    await dialog.getByLabel('Architecture').selectOption('x86_64');
    await dialog.getByLabel('ACPI').selectOption('YES');
    await dialog.getByLabel('Guest agent').selectOption('YES');
    await dialog.getByLabel('Input type').selectOption('tablet');
    await dialog.getByLabel('Input bus').selectOption('usb');
    await dialog.getByLabel('Raw type').selectOption('kvm');
    await dialog.getByLabel('Raw data').fill('<devices><watchdog model="i6300esb"/></devices>');
    await dialog.getByRole('button', { name: /^Confirm/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    xml = await info(id);
    for (const [k, v] of [['BOOT', 'nic0,disk0'], ['ARCH', 'x86_64'], ['ACPI', 'YES'], ['GUEST_AGENT', 'YES'], ['KEYMAP', 'de'], ['BUS', 'usb']]) assert.equal(xmlValue(xml, k), v, k);
    assert.match(xml, /<INPUT>.*<TYPE>(<!\[CDATA\[)?tablet/s);
    assert.match(xml, /<RAW>.*i6300esb/s);
    assert.match(xml, /<TIER>(<!\[CDATA\[)?front/, 'the context kept');
    await page.getByRole('tab', { name: 'Template', exact: true }).click();
    const tpl = page.getByLabel('VM template', { exact: true });
    await tpl.getByText('BOOT = "nic0,disk0"').waitFor();
    await tpl.getByText('KEYMAP = "de"').waitFor();

    // oned's refusal: a VM without context gets none through updateconf.
    const bare = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "bare"\nCPU = 0.1\nMEMORY = 32', true]));
    await page.goto(`${cloud.url}vms/${bare}`);
    await page.getByTestId('vm-state').getByText('HOLD').waitFor();
    await actions.getByRole('button', { name: 'Update configuration', exact: true }).click();
    const bareDialog = page.getByRole('dialog', { name: `Update the configuration of VM ${bare} (bare)` });
    await bareDialog.getByText('This VM has no context').waitFor();
    await bareDialog.getByRole('button', { name: 'Add a context key' }).click();
    await bareDialog.getByLabel('Context key 1', { exact: true }).fill('TOKEN');
    await bareDialog.getByLabel('Context value 1', { exact: true }).fill('x');
    await bareDialog.getByRole('button', { name: /^Confirm/ }).click();
    await bareDialog.getByRole('alert').filter({ hasText: 'Virtual machine does not have context' }).waitFor();
    assert.doesNotMatch(await info(bare), /<CONTEXT>/);
    await bareDialog.getByRole('button', { name: 'Cancel' }).click();

    // SUSPENDED: disabled, with the reason.
    await cloud.oned.ok('one.vm.action', ['resume', id]);
    await until('the VM to run again', async () => /<LCM_STATE>3<\/LCM_STATE>/.test(await info(id)));
    await cloud.oned.ok('one.vm.action', ['suspend', id]);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('SUSPENDED').waitFor({ timeout: 20_000 });
    const disabled = actions.getByRole('button', { name: 'Update configuration', exact: true });
    assert.equal(await disabled.isDisabled(), true);
    assert.match(String(await disabled.getAttribute('title')), /powered off, undeployed or running/);
    await context.close();
  });

  test('the template form: scheduled actions as seconds after the start, checked, reaching the VMs made from it', async () => {
    const { context, page } = await cloud.page(ADMIN);
    const calls = countCalls(page);
    await page.goto(`${cloud.url}templates/new`);
    const form = page.getByRole('form', { name: 'New VM template' });
    await form.getByLabel('Name', { exact: true }).fill('office-hours');
    await form.getByRole('button', { name: 'Add a scheduled action' }).click();
    await form.getByLabel('Action 1', { exact: true }).selectOption('poweroff');
    await form.getByLabel('Seconds after the VM starts (action 1)').fill('an hour');
    const before = calls.n;
    await form.getByRole('button', { name: 'Create template' }).click();
    await form.getByText('Action 1: seconds after the start must be a whole number').waitFor();
    assert.equal(calls.n, before, 'nothing sent');
    await form.getByLabel('Seconds after the VM starts (action 1)').fill('3600');
    await form.getByRole('button', { name: 'Add a scheduled action' }).click();
    await form.getByLabel('Action 2', { exact: true }).selectOption('terminate');
    await form.getByLabel('Seconds after the VM starts (action 2)').fill('86400');
    assert.deepEqual(await axeViolations(page), []);
    await form.getByRole('button', { name: 'Create template' }).click();
    const heading = page.getByRole('heading', { name: /^Template \d+: office-hours$/ });
    await heading.waitFor();
    const tid = Number(/Template (\d+)/.exec((await heading.textContent())!)![1]);
    const tpl = String(await cloud.oned.ok('one.template.info', [tid]));
    assert.match(tpl, /<SCHED_ACTION>.*poweroff.*\+3600.*<\/SCHED_ACTION>/s);
    assert.match(tpl, /<SCHED_ACTION>.*terminate.*\+86400.*<\/SCHED_ACTION>/s);
    // A VM from it: the times count from its start, and its Sched actions tab lists them.
    const vm = Number(await cloud.oned.ok('one.template.instantiate', [tid, 'from-form', true, '', false]));
    const xml = await info(vm);
    const stime = Number(xmlValue(xml, 'STIME'));
    assert.match(xml, new RegExp(`<TIME>(<!\\[CDATA\\[)?${stime + 3600}`));
    await page.goto(`${cloud.url}vms/${vm}`);
    await page.getByRole('tab', { name: 'Sched actions' }).click();
    await page.getByRole('cell', { name: 'terminate', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'poweroff', exact: true }).waitFor();
    await context.close();
  });
});

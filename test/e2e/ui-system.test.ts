/**
 * The operations center's system pages in a real browser, as oneadmin: a user and a group made
 * through forms, a VM quota set and shown, ACL rules added from their text and deleted (a wrong
 * rule shows why), accounting's chart and rows after a VM ran; bad input is named in the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, screenshot } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: users, groups, quotas, ACLs, accounting', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start();
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a group and a user created through forms; a VM quota set for the user shows its limits', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByText("Enter the group's name").waitFor();
    await page.getByLabel('New group name').fill('devs');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: /^Group \d+: devs$/ }).waitFor();
    const gid = Number(/\/groups\/(\d+)/.exec(page.url())![1]);

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Create user' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText("Enter the user's name").waitFor();
    await page.getByText('Enter a password').waitFor();
    await page.getByLabel('User name').fill('ann lee');
    await page.getByText('A user name has no spaces or colons').waitFor();
    await page.getByLabel('User name').fill('ann');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByLabel('Primary group').selectOption(String(gid));
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: /^User \d+: ann$/ }).waitFor();
    const uid = Number(/\/users\/(\d+)/.exec(page.url())![1]);
    const info = String(await cloud.oned.ok('one.user.info', [uid]));
    assert.match(info, new RegExp(`<GID>${gid}</GID>`));

    // Same name again: oned refuses and the page says so.
    await page.goto(`${cloud.url}users/new`);
    await page.getByLabel('User name').fill('ann');
    await page.getByLabel('Password', { exact: true }).fill('x');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('alert').filter({ hasText: /already taken/ }).waitFor();

    await page.goto(`${cloud.url}users/${uid}`);
    await page.getByRole('tab', { name: 'Quotas' }).click();
    await page.getByLabel('VMs limit', { exact: true }).fill('abc');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByText('Enter a whole number: -1 for the default, -2 for unlimited').waitFor();
    await page.getByLabel('VMs limit', { exact: true }).fill('3');
    await page.getByLabel('Memory (MB) limit', { exact: true }).fill('2048');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByRole('status').filter({ hasText: 'Quota saved' }).waitFor();
    const quota = page.getByTestId('vm-quota');
    await quota.getByText('0 / 3 (0%)').waitFor();
    await quota.getByText('0 MB / 2.0 GB (0%)').waitFor();
    assert.match(String(await cloud.oned.ok('one.user.info', [uid])), /<VMS><!\[CDATA\[3\]\]><\/VMS>|<VMS>3<\/VMS>/);
    // Usage follows: a VM of ann's counts against the limit.
    await cloud.oned.ok('one.vm.allocate', ['NAME = "ann-vm"\nCPU = 1\nMEMORY = 512', true], 'ann:s3cret');
    await quota.getByText('1 / 3 (33%)').waitFor({ timeout: 15_000 });

    // Groups tab: ann's groups, the primary marked.
    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByTestId('user-groups').getByText(`${gid}: devs`).waitFor();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.locator(`tr[data-id="${uid}"]`).getByText('devs').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'users');
    await context.close();
  });

  test('ACL rules: added from text, a wrong rule shows why, deleted after confirmation', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'ACLs' }).click();
    await page.getByRole('heading', { name: 'Access control lists' }).waitFor();
    // Shape checked in the field before anything is sent.
    await page.getByLabel('New rule').fill('@1 VM');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('A rule has 3 or 4 parts').waitFor();
    // A rule of the right shape naming no resource type: refused with the reason.
    await page.getByLabel('New rule').fill('@1 FOO/* USE');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: /FOO/ });
    await refusal.waitFor();
    const before = String(await cloud.oned.ok('one.acl.info', []));
    assert.doesNotMatch(before, /FOO/);

    await page.getByLabel('New rule').fill('@1 VM+IMAGE/* USE+MANAGE');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const status = page.getByRole('status').filter({ hasText: /^Rule \d+ added$/ });
    await status.waitFor();
    const id = Number(/Rule (\d+) added/.exec(await status.innerText())![1]);
    const row = page.locator(`tr[data-id="${id}"]`);
    // oned writes the zone it put the rule in.
    await row.getByRole('cell', { name: '@1 VM+IMAGE/* USE+MANAGE #0' }).waitFor();
    await row.getByRole('cell', { name: /members of group 1 \(users\) may USE, MANAGE all VM, IMAGE in zone 0/ }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'acls');

    await row.getByRole('button', { name: `Delete rule ${id}` }).click();
    await page.getByRole('dialog', { name: `Confirm Delete rule ${id}` }).getByRole('button', { name: `Confirm delete rule ${id}` }).click();
    await row.waitFor({ state: 'detached' });
    assert.doesNotMatch(String(await cloud.oned.ok('one.acl.info', [])), new RegExp(`<ID>${id}</ID>`));
    await context.close();
  });

  test('accounting shows a chart and rows after a VM ran', async () => {
    const vm = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "billed"\nCPU = 2\nMEMORY = 1024', false]));
    await cloud.oned.ok('one.vm.deploy', [vm, 0, false, -1]);
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Accounting' }).click();
    await page.getByRole('heading', { name: 'Accounting' }).waitFor();
    await page.getByTestId('accounting-chart').locator('canvas').waitFor({ timeout: 15_000 });
    await page.getByTestId('accounting-row').filter({ hasText: 'oneadmin' }).waitFor();
    await page.getByLabel('Group by').selectOption('vm');
    await page.getByTestId('accounting-row').filter({ hasText: `VM ${vm}: billed` }).waitFor();
    // A start after the end is named before anything is asked.
    await page.getByLabel('From').fill('2030-01-02');
    await page.getByLabel('To').fill('2030-01-01');
    await page.getByText('The start date is after the end date').waitFor();
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByTestId('accounting-row').first().waitFor();
    await screenshot(page, 'accounting');
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test('showback: computed on demand from the VMs with costs, a chart, the month and the VM', async () => {
    const vm = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "costly"\nCPU = 2\nMEMORY = 1024\nCPU_COST = 10\nMEMORY_COST = 1', false]));
    await cloud.oned.ok('one.vm.deploy', [vm, 0, false, -1]);
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Showback' }).click();
    await page.getByRole('heading', { name: 'Showback' }).waitFor();
    await page.getByText(/No showback records for \d{4}/).waitFor({ timeout: 15_000 });
    const year = new Date().getFullYear();
    await page.getByRole('button', { name: `Calculate ${year}` }).click();
    await page.getByRole('button', { name: `Confirm calculate ${year}` }).click();
    const row = page.getByTestId('showback-vm').filter({ hasText: `VM ${vm}: costly` });
    await row.waitFor({ timeout: 15_000 });
    assert.ok(Number((await row.locator('td').nth(2).innerText()).trim()) > 0, 'the VM has a cost');
    await page.getByRole('region', { name: 'Cost by month' }).locator('canvas').waitFor().catch(() => undefined);
    assert.equal(await page.getByRole('table', { name: 'Cost by month' }).getByRole('row').count(), 13);
    // A year that is not one is named in the field; nothing is asked.
    await page.getByRole('textbox', { name: 'Year' }).fill('20x6');
    await page.getByText('Enter a year such as 2026').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Calculate/ }).isDisabled(), true);
    await page.getByRole('textbox', { name: 'Year' }).fill(String(year));
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'showback');
    await context.close();
  });
});

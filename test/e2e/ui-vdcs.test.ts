/**
 * The operations center's VDC pages in a real browser, as oneadmin: a VDC made through the form
 * (an empty name is named in the field), a group and a cluster added and shown, the ACL rules
 * oned made for them, a group removed after confirmation, and the list's counts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, screenshot, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: VDCs', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start();
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a VDC made through the form gets a group and a cluster; oned makes the rules; the group is removed again', async () => {
    const gid = (await cloud.oned.ok('one.group.allocate', ['ui-vdc-team'])) as number;
    const cid = (await cloud.oned.ok('one.cluster.allocate', ['ui-vdc-cl'])) as number;
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'VDCs' }).click();
    await page.getByRole('heading', { name: 'VDCs' }).waitFor();
    await page.locator('tr[data-id="0"]').getByText('default').waitFor();
    await page.getByRole('button', { name: 'Create VDC' }).click();
    await page.getByText("Enter the VDC's name").waitFor();
    await page.getByLabel('New VDC name').fill('web');
    await page.getByRole('button', { name: 'Create VDC' }).click();
    await page.getByRole('heading', { name: /^VDC \d+: web$/ }).waitFor();
    const id = Number(/\/vdcs\/(\d+)/.exec(page.url())![1]);

    const groups = page.getByRole('form', { name: 'Add group' });
    await groups.getByLabel('Group').selectOption(String(gid));
    await groups.getByRole('button', { name: 'Add group' }).click();
    await page.locator(`tr[data-group="${gid}"]`).getByText(`${gid}: ui-vdc-team`).waitFor();

    await page.getByRole('tab', { name: 'Clusters' }).click();
    const clusters = page.getByRole('form', { name: 'Add cluster' });
    await clusters.getByLabel('Cluster').selectOption(String(cid));
    await clusters.getByRole('button', { name: 'Add cluster' }).click();
    await page.locator(`tr[data-resource="0:${cid}"]`).getByText(`${cid}: ui-vdc-cl`).waitFor();
    const acl = String(await cloud.oned.ok('one.acl.info', []));
    for (const r of [`@${gid} HOST/%${cid} MANAGE #0`, `@${gid} NET/%${cid} USE #0`, `@${gid} DATASTORE/%${cid} USE #0`]) assert.ok(acl.includes(r), r);
    // A zone that is not a number is named in the field.
    await clusters.getByLabel('Zone').fill('x');
    await clusters.getByText('A zone id: 0 or more').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'vdc');

    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByRole('button', { name: `Remove group ${gid}` }).click();
    await page.getByRole('dialog', { name: `Confirm Remove group ${gid}` }).getByRole('button', { name: `Confirm remove group ${gid}` }).click();
    await page.locator(`tr[data-group="${gid}"]`).waitFor({ state: 'detached' });
    assert.ok(!String(await cloud.oned.ok('one.acl.info', [])).includes(`@${gid} HOST/%${cid} MANAGE #0`));

    await page.getByRole('link', { name: 'VDCs' }).click();
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.getByText('web').waitFor();
    // The list follows oned's changes as they reach the server: wait for the group's removal.
    const counts = async () => (await row.locator('td').allInnerTexts()).slice(2);
    await until('the VDC row counts no group and one cluster', async () => JSON.stringify(await counts()) === JSON.stringify(['0', '1', '0', '0', '0'])).catch(async (e: Error) => {
      assert.fail(`${e.message}: the row shows ${JSON.stringify(await counts())}`);
    });
    await context.close();
  });
});

/**
 * The operations center's zones page in a real browser, as oneadmin: zone 0 listed with its
 * endpoint, a zone created through the form (a bad endpoint named in the field), a server added
 * and removed, the zone disabled, renamed and deleted; zone 0 cannot be deleted and the page
 * says why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { childInt, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, confirmAction, screenshot } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: zones', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start({ withHost: false });
  });
  after(async () => {
    await cloud?.stop();
  });

  test('zones listed, one created, its servers, disabled, renamed and deleted', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Zones', exact: true }).click();
    await page.getByRole('heading', { name: 'Zones' }).waitFor();
    await page.locator('tr[data-id="0"]').getByText(cloud.oned.endpoint).waitFor();

    await page.getByRole('link', { name: 'Create zone' }).click();
    await page.getByLabel('Zone name').fill('east');
    await page.getByLabel('Endpoint').fill('not a url');
    await page.getByRole('button', { name: 'Create zone' }).click();
    await page.getByText("Enter the zone oned's XML-RPC endpoint").waitFor();
    await page.getByLabel('Endpoint').fill('http://east.example:2633/RPC2');
    await page.getByRole('button', { name: 'Create zone' }).click();
    await page.getByRole('heading', { name: /^Zone \d+: east$/ }).waitFor();
    const id = Number(/\/zones\/(\d+)/.exec(page.url())![1]);
    assert.ok(id >= 100);
    const zone = () => cloud.oned.ok('one.zone.info', [id]).then((x) => parseXmlTree(String(x)));
    assert.equal(childText((await zone()).children.find((c) => c.name === 'TEMPLATE')!, 'ENDPOINT'), 'http://east.example:2633/RPC2');

    await page.getByRole('tab', { name: 'Servers' }).click();
    await page.getByText('The zone has no servers').waitFor();
    await page.getByRole('button', { name: 'Add server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel('Server name').fill('s0');
    await dialog.getByLabel('Server endpoint').fill('http://s0:2633/RPC2');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: `Servers of zone ${id}` }).getByText('http://s0:2633/RPC2').waitFor();
    await confirmAction(page, 'Remove server 0');
    await page.getByText('The zone has no servers').waitFor();

    await confirmAction(page, 'Disable');
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    assert.equal(childInt(await zone(), 'STATE'), 1);
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('dialog', { name: 'Rename' }).getByLabel('New name').fill('east-1');
    await page.getByRole('dialog', { name: 'Rename' }).getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: `Zone ${id}: east-1` }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'zones');
    await confirmAction(page, 'Delete');
    await page.getByRole('heading', { name: 'Zones' }).waitFor();
    assert.equal((await cloud.oned.call('one.zone.info', [id]))[0], false);

    // Zone 0 stays, and the dialog says why.
    await page.goto(`${cloud.url}zones/0`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Confirm delete' }).getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('dialog', { name: 'Confirm delete' }).getByRole('alert').filter({ hasText: /System Zones \(ID < 100\) cannot be deleted/ }).waitFor();
    await context.close();
  });
});

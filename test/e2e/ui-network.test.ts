/**
 * Virtual networks in the operations center, in a real browser as oneadmin: a network with an
 * address range made through the form, its range resized, an address held (seen in the leases)
 * and released, a reservation into a new network, deletion; forms refuse bad values before
 * sending anything and show oned's refusals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, screenshot } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: virtual networks', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start();
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a network made with the form: its range, resized; a hold in the leases, released; a reservation; deleted', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Virtual networks' }).click();
    await page.getByRole('heading', { name: 'Virtual networks' }).waitFor();
    await page.getByRole('link', { name: 'Create network' }).click();
    await page.getByLabel('Name').fill('lan');
    await page.getByLabel('Bridge').fill('br-lan');
    await page.getByLabel('Driver (VN_MAD)').selectOption('dummy');
    await page.getByLabel('First IP').fill('10.7.0.10');
    await page.getByLabel('Size (addresses)').fill('16');
    await page.getByLabel('DNS servers').fill('10.7.0.1');
    await page.getByLabel('Gateway').fill('10.7.0.1');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('heading', { name: /^Network \d+: lan$/ }).waitFor();
    const id = Number(/vnets\/(\d+)/.exec(page.url())![1]);
    assert.equal(await page.locator('dt:text-is("Bridge") + dd').textContent(), 'br-lan');

    await page.getByRole('tab', { name: 'Address ranges' }).click();
    const ar0 = page.getByRole('region', { name: 'Address range 0' });
    assert.equal(await ar0.getByTestId('ar-size-0').textContent(), '16');
    await ar0.getByText('10.7.0.10 – 10.7.0.25').waitFor();
    await ar0.getByRole('button', { name: 'Change size of range 0' }).click();
    await page.getByLabel('New size (addresses)').fill('32');
    await page.getByRole('button', { name: 'Change size', exact: true }).click();
    await ar0.getByText('10.7.0.10 – 10.7.0.41').waitFor();
    assert.equal(await ar0.getByTestId('ar-size-0').textContent(), '32');

    await page.getByRole('tab', { name: 'Holds' }).click();
    await page.getByRole('button', { name: 'Hold an address' }).click();
    await page.getByLabel('IP address').fill('10.7.0.12');
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    await page.getByRole('button', { name: 'Release 10.7.0.12' }).waitFor();
    await page.getByRole('tab', { name: 'Leases' }).click();
    const lease = page.locator('tr[data-ip="10.7.0.12"]');
    await lease.getByText('Held').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'vnet-detail');

    // oned refuses to hold an address already held: its words in the dialog.
    await page.getByRole('tab', { name: 'Holds' }).click();
    await page.getByRole('button', { name: 'Hold an address' }).click();
    await page.getByLabel('IP address').fill('10.7.0.12');
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    await page.getByRole('dialog', { name: 'Hold an address' }).getByRole('alert').waitFor();
    await page.getByRole('dialog', { name: 'Hold an address' }).getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Release 10.7.0.12' }).click();
    await page.getByRole('button', { name: 'Confirm release 10.7.0.12' }).click();
    await page.getByRole('button', { name: 'Release 10.7.0.12' }).waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Leases' }).click();
    await page.getByText('None.').waitFor();

    await page.getByRole('tab', { name: 'Reservations' }).click();
    await page.getByRole('button', { name: 'Reserve addresses' }).click();
    await page.getByLabel('Name of the reservation').fill('lan-rsv');
    await page.getByLabel('How many addresses').fill('4');
    await page.getByRole('button', { name: 'Reserve', exact: true }).click();
    const rsvLink = page.getByRole('link', { name: /^Network \d+$/ });
    await rsvLink.waitFor();
    await page.getByText(': 4 addresses').waitFor();
    await page.getByRole('tab', { name: 'Leases' }).click();
    assert.equal(await page.getByRole('link', { name: /^Reservation: network \d+$/ }).count(), 4);

    // The reservation is a network of its own; deleting it gives the addresses back.
    await page.getByRole('tab', { name: 'Reservations' }).click();
    await rsvLink.click();
    await page.getByRole('heading', { name: /^Network \d+: lan-rsv$/ }).waitFor();
    await page.getByRole('link', { name: `network ${id}` }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { name: 'Virtual networks' }).waitFor();
    await page.getByRole('link', { name: 'lan-rsv' }).waitFor({ state: 'detached' });
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('link', { name: 'lan', exact: true }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { name: 'Virtual networks' }).waitFor();
    await page.getByTestId('row-count').getByText('0 items').waitFor();
    await context.close();
  });

  test('bad values are refused in the fields and nothing is sent; oned refusing a taken name shows in the page', async () => {
    await cloud.oned.ok('one.vn.allocate', ['NAME = "taken"\nVN_MAD = "dummy"\nBRIDGE = "br0"', -1]);
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}vnets/new`);
    await page.getByRole('heading', { name: 'Create a virtual network' }).waitFor();
    let calls = 0;
    page.on('request', (r) => void (r.url().includes('/api/call') && calls++));
    await page.getByLabel('First IP').fill('10.0.0.300');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByText('Enter a name').waitFor();
    await page.getByText('Not an IPv4 address').waitFor();
    await page.getByText('Enter how many addresses').waitFor();
    assert.equal(await page.getByLabel('First IP').getAttribute('aria-invalid'), 'true');
    assert.equal(calls, 0, 'a refused form sends nothing');

    await page.getByLabel('Name').fill('taken');
    await page.getByLabel('Driver (VN_MAD)').selectOption('dummy');
    await page.getByLabel('First IP').fill('10.0.0.1');
    await page.getByLabel('Size (addresses)').fill('8');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('alert').filter({ hasText: /already taken/ }).waitFor();

    // Template text: what oned says about it shows too.
    await page.getByLabel('Template text').check();
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByText('Write the network template').waitFor();
    await page.getByLabel('Template', { exact: true }).fill('NAME = "raw-net"\nVN_MAD = "dummy"\nBRIDGE = "br9"\nAR = [ TYPE = "ETHER", SIZE = "3" ]');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('heading', { name: /^Network \d+: raw-net$/ }).waitFor();
    await page.getByRole('tab', { name: 'Address ranges' }).click();
    assert.equal(await page.getByTestId('ar-size-0').textContent(), '3');
    await context.close();
  });
});

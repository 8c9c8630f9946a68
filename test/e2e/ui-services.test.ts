/**
 * OneFlow in the operations center, in a real browser: oned (with the scheduler and dummy
 * hosts), oneflow-server and sunstone-server as processes. A service template made with the
 * form, instantiated; the service's role and its VMs seen, the role scaled, the service deleted;
 * a template sent as JSON. With oneflow-server down, the Services pages say so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };
const CONF = 'HOST_MONITORING_INTERVAL = 1\nSCHEDULER = [ EXECUTABLE = "mm_sched" ]\n';
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n';

describe('operations center: OneFlow services', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let vmTemplate = -1;
  before(async () => {
    cloud = await UiCloud.start({ oned: { conf: CONF, schedConf: SCHED }, oneflow: ':lcm_interval: 1\n:default_cooldown: 1\n' });
    await cloud.oned.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    vmTemplate = Number(await cloud.oned.ok('one.template.allocate', ['NAME = "small"\nCPU = "0.1"\nMEMORY = "32"']));
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a service template made with the form, instantiated: the role and its VMs, scaled, deleted', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Service templates' }).click();
    await page.getByRole('heading', { name: 'Service templates' }).waitFor();
    await page.getByText('None yet.').waitFor();
    await page.getByRole('link', { name: 'Create service template' }).click();
    await page.getByRole('button', { name: 'Create service template' }).click();
    await page.getByText('Enter a name').waitFor();
    await page.getByText('Choose the VM template').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('web-app');
    const role = page.getByRole('group', { name: 'Role 1' });
    await role.getByLabel('Role name').fill('front');
    await role.getByLabel('VM template').selectOption(String(vmTemplate));
    await role.getByLabel('Number of VMs').fill('2');
    await page.getByRole('button', { name: 'Create service template' }).click();
    await page.getByRole('heading', { name: /^Service template \d+: web-app$/ }).waitFor();
    assert.deepEqual((await page.locator('tr[data-role="front"] td').allInnerTexts()).slice(1, 3), [`template ${vmTemplate}`, '2']);
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('button', { name: 'Instantiate' }).click();
    await page.getByLabel('Name of the service (optional)').fill('web-1');
    await page.getByRole('button', { name: 'Confirm instantiate' }).click();
    await page.getByRole('heading', { name: /^Service \d+: web-1$/ }).waitFor();
    const front = page.getByRole('region', { name: 'Role front' });
    await until('the two VMs of role front', async () => (await front.getByRole('link', { name: /^VM \d+$/ }).count()) === 2, 30_000);
    await page.locator('.page-head .state', { hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('button', { name: 'Scale front' }).click();
    await page.getByLabel('Number of VMs').fill('1');
    await page.getByRole('button', { name: 'Confirm scale front' }).click();
    await front.getByTestId('cardinality-front').getByText('1', { exact: true }).waitFor();
    await until('role front down to one VM', async () => (await front.getByRole('link', { name: /^VM \d+$/ }).count()) === 1, 30_000);

    await page.getByRole('link', { name: 'Services', exact: true }).click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'web-1' }) });
    await row.getByText('RUNNING').waitFor({ timeout: 30_000 });
    await row.getByRole('link', { name: 'web-1' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'web-1' }).waitFor({ state: 'detached', timeout: 30_000 });
    await context.close();
  });

  test('a service template as JSON; OneFlow refusing a bad one shows its words', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}service_templates/new`);
    await page.getByLabel('JSON').check();
    await page.getByLabel('Template (JSON)').fill('{ "name": "broken", ');
    await page.getByRole('button', { name: 'Create service template' }).click();
    await page.getByText(/^Not JSON/).waitFor();
    await page.getByLabel('Template (JSON)').fill(JSON.stringify({ name: 'no-roles', roles: [] }));
    await page.getByRole('button', { name: 'Create service template' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Template (JSON)').fill(JSON.stringify({ name: 'db', deployment: 'none', roles: [{ name: 'db', type: 'vm', template_id: vmTemplate, cardinality: 1 }] }));
    await page.getByRole('button', { name: 'Create service template' }).click();
    await page.getByRole('heading', { name: /^Service template \d+: db$/ }).waitFor();
    await context.close();
  });
});

describe('operations center: OneFlow down', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start({ withHost: false, oneflowUrl: `http://127.0.0.1:${await freePort()}` });
  });
  after(async () => {
    await cloud?.stop();
  });

  test('the Services pages say oneflow-server is not reachable; oned pages work', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.getByTestId('oneflow-down').getByText('oneflow-server is not reachable.').waitFor();
    await page.getByRole('link', { name: 'Service templates' }).click();
    await page.getByTestId('oneflow-down').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    // oned's banner does not show: only OneFlow is missing.
    assert.equal(await page.getByText('oned is not answering').count(), 0);
    await page.getByRole('link', { name: 'Virtual networks' }).click();
    await page.getByTestId('row-count').getByText('0 items').waitFor();
    await context.close();
  });
});

/**
 * Issue 12's acceptance, walked through in Chromium as one admin and one user would, on a cloud
 * started like `npm start` starts it (oned with its scheduler, sunstone-server beside it):
 * oneadmin creates a dummy host, a network, an image (uploaded from the browser) and a template
 * through the forms, instantiates it, and watches the scheduler take the VM to RUNNING without a
 * reload; opens its log and monitoring; powers it off, resumes it and terminates it. Then a plain
 * user, in the cloud view, launches a VM from a template shared with her group, sees her quota
 * fill, and is refused above it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, confirmAction } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };
const USERS_GROUP = 1;

describe('issue 12 acceptance: the operations center in a real browser', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start({
      withHost: false,
      oned: { conf: 'HOST_MONITORING_INTERVAL = 2\nVM_POLLING_INTERVAL = 1\nMONITORING_INTERVAL_DATASTORE = 2\n', schedConf: 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 30\nMAX_HOST = 30\n' },
    });
    // A cloud of dummy hosts moves no disks: the admin's setting for both default datastores.
    await cloud.oned.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    await cloud.oned.ok('one.datastore.update', [1, 'TM_MAD = "dummy"', 1]);
  });
  after(async () => {
    await cloud?.stop();
  });

  test('oneadmin: host, network, uploaded image and template through forms; a VM followed live to RUNNING and through its life', async () => {
    const { context, page } = await cloud.page(ADMIN);

    // A dummy host, MONITORED ("on") without a reload.
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'Create host' }).click();
    await page.getByLabel('Host name').fill('node1');
    await page.getByLabel('Monitoring driver (IM_MAD)').selectOption('dummy');
    await page.getByLabel('Virtualization driver (VM_MAD)').selectOption('dummy');
    await page.getByRole('button', { name: 'Create host' }).click();
    await page.getByRole('heading', { name: /^Host \d+: node1$/ }).waitFor();
    await page.locator('.page-head .state', { hasText: /^on$/ }).waitFor({ timeout: 30_000 });

    // A network with an address range.
    await page.getByRole('link', { name: 'Virtual networks' }).click();
    await page.getByRole('link', { name: 'Create network' }).click();
    await page.getByLabel('Name').fill('lan');
    await page.getByLabel('Bridge').fill('br-lan');
    await page.getByLabel('Driver (VN_MAD)').selectOption('dummy');
    await page.getByLabel('First IP').fill('10.9.0.10');
    await page.getByLabel('Size (addresses)').fill('20');
    await page.getByRole('button', { name: 'Create network' }).click();
    const netHeading = page.getByRole('heading', { name: /^Network \d+: lan$/ });
    await netHeading.waitFor();
    const vnet = Number(/Network (\d+)/.exec((await netHeading.textContent())!)![1]);

    // An image uploaded from the browser, READY.
    await page.getByRole('link', { name: 'Images', exact: true }).click();
    await page.getByRole('link', { name: 'Create image' }).click();
    await page.getByLabel('Datastore').locator('option').first().waitFor({ state: 'attached' });
    await page.getByLabel('Name').fill('disk');
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'disk.img', mimeType: 'application/octet-stream', buffer: Buffer.alloc(256 * 1024, 1) });
    await page.getByRole('button', { name: 'Create image' }).click();
    const imageHeading = page.getByRole('heading', { name: /^Image \d+: disk$/ });
    await imageHeading.waitFor();
    const image = Number(/Image (\d+)/.exec((await imageHeading.textContent())!)![1]);
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });

    // A template with that disk and network.
    await page.getByRole('link', { name: 'VM templates' }).click();
    await page.getByRole('link', { name: 'Create a template' }).click();
    const form = page.getByRole('form', { name: 'New VM template' });
    await form.getByLabel('Name', { exact: true }).fill('web');
    await form.getByLabel('CPU (share of physical CPUs)').fill('0.5');
    await form.getByLabel('Memory', { exact: true }).fill('256');
    await form.getByRole('button', { name: 'Add a disk' }).click();
    await form.getByLabel('Image of disk 1').selectOption({ label: `disk (ID ${image})` });
    await form.getByRole('button', { name: 'Add a network interface' }).click();
    await form.getByLabel('Network of interface 1').selectOption({ label: `lan (ID ${vnet})` });
    await form.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('heading', { name: /^Template \d+: web$/ }).waitFor();

    // Instantiate; the scheduler deploys it; the page follows without a reload.
    await page.getByRole('link', { name: 'Instantiate', exact: true }).click();
    const inst = page.getByRole('form', { name: 'Instantiate' });
    await inst.getByLabel('VM name (optional: oned names it after the template)').fill('web-1');
    await inst.getByRole('button', { name: 'Instantiate' }).click();
    const vmHeading = page.getByRole('heading', { name: /^VM \d+: web-1$/ });
    await vmHeading.waitFor();
    const id = Number(/VM (\d+)/.exec((await vmHeading.textContent())!)![1]);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    const state = page.getByTestId('vm-state');
    await state
      .getByText('RUNNING')
      .waitFor({ timeout: 60_000 })
      .catch(async (err) => {
        const xml = String(await cloud.oned.ok('one.vm.info', [id]));
        const log = join(cloud.oned.location, 'var', 'sched.log');
        throw new Error(`${(err as Error).message}\nVM: ${/<STATE>\d+<\/STATE><LCM_STATE>\d+/.exec(xml)?.[0]} ${/<SCHED_MESSAGE>[^<]*/.exec(xml)?.[0] ?? ''}\n${existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-10).join('\n') : 'no sched.log'}`);
      });
    assert.deepEqual(navigations, [], 'RUNNING arrived without a reload');
    assert.match(String(await cloud.oned.ok('one.vm.info', [id])), /<HOSTNAME>node1<\/HOSTNAME>/, 'the scheduler placed it on node1');

    await page.getByRole('tab', { name: 'Log' }).click();
    await page.getByTestId('vm-log').getByText(/New LCM state is RUNNING/).waitFor({ timeout: 20_000 });
    await page.getByRole('tab', { name: 'Monitoring' }).click();
    await page.getByRole('img', { name: `CPU use of VM ${id} over time` }).waitFor({ timeout: 30_000 });

    await confirmAction(page, 'Power off', 'VM actions');
    await state.getByText('POWEROFF').waitFor({ timeout: 30_000 });
    await confirmAction(page, 'Resume', 'VM actions');
    await state.getByText('RUNNING').waitFor({ timeout: 30_000 });
    await confirmAction(page, 'Terminate', 'VM actions');
    await state.getByText('DONE').waitFor({ timeout: 30_000 });
    await context.close();
  });

  test('a plain user: launches from a shared template, sees her quota fill, is refused above it', async () => {
    const o = cloud.oned;
    const bea = Number(await o.ok('one.user.allocate', ['bea', 'bea-pw', '', []]));
    await o.ok('one.user.quota', [bea, 'VM = [ VMS = 1, CPU = 1, MEMORY = 256 ]']);
    const shared = Number(await o.ok('one.template.allocate', ['NAME = "team-small"\nCPU = "1"\nMEMORY = "128"']));
    await o.ok('one.template.chown', [shared, -1, USERS_GROUP]);
    await o.ok('one.template.chmod', [shared, -1, -1, -1, 1, -1, -1, -1, -1, -1]);

    const { context, page } = await cloud.page({ user: 'bea', password: 'bea-pw' });
    await page.getByTestId('quota-summary').getByText('VMs: 0 of 1').waitFor();
    await page.getByRole('link', { name: 'Launch a VM' }).first().click();
    await page.getByRole('link', { name: 'Launch team-small' }).click();
    await page.getByLabel('VM name').fill('bea-1');
    await page.getByRole('button', { name: 'Launch VM' }).click();
    await page.getByRole('heading', { name: /^VM \d+: bea-1$/ }).waitFor();
    await page.getByRole('link', { name: 'Back to my VMs' }).click();
    await page.getByTestId('quota-summary').getByText('VMs: 1 of 1').waitFor();

    // A second VM would exceed the quota: the form says so and nothing reaches oned.
    await page.goto(`${cloud.url}launch/${shared}`);
    await page.getByLabel('VM name').fill('bea-2');
    await page.getByRole('button', { name: 'Launch VM' }).click();
    await page.getByText(/quota/i).first().waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Launch team-small' }).count(), 1, 'the form stays');
    const mine = String(await o.ok('one.vmpool.info', [bea, -1, -1, -1]));
    assert.equal((mine.match(/<VM>/g) ?? []).length, 1, 'no second VM');
    await context.close();
  });
});

/**
 * The pages of the newer object families in a real browser, as oneadmin: a security group made
 * with a rule (seen in its rules, updated, attached to a VM's NIC); a VM group with two roles (a
 * role added and deleted); a virtual router with a floating IP, instantiated; a network template
 * made and instantiated into a network; a hook that fires and shows its run, retried; an http
 * marketplace (listed, disabled); a cluster's optimization plan made, seen and deleted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: security groups, VM groups, routers, network templates, hooks, marketplaces', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let vnet = -1;
  let template = -1;
  let routerTemplate = -1;
  before(async () => {
    cloud = await UiCloud.start();
    vnet = Number(await cloud.oned.ok('one.vn.allocate', ['NAME = "lan"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.9.0.1", SIZE = "50" ]', -1]));
    template = Number(await cloud.oned.ok('one.template.allocate', [`NAME = "small"\nCPU = "0.1"\nMEMORY = "64"\nNIC = [ NETWORK_ID = "${vnet}" ]`]));
    routerTemplate = Number(await cloud.oned.ok('one.template.allocate', ['NAME = "router"\nCPU = "0.1"\nMEMORY = "64"\nVROUTER = "YES"']));
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a security group with a rule: seen in its rules, updated, cloned; attached to and detached from a VM NIC', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Security groups' }).click();
    await page.getByRole('heading', { name: 'Security groups' }).waitFor();
    await page.getByRole('link', { name: 'Create security group' }).click();
    // Bad values are refused in the fields.
    await page.getByRole('button', { name: 'Create security group' }).click();
    await page.getByText('Enter a name').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('web-sg');
    const rule1 = page.getByRole('group', { name: 'Rule 1' });
    await rule1.getByLabel('Ports').fill('22,80:x');
    await page.getByRole('button', { name: 'Create security group' }).click();
    await rule1.getByText('Ports like 22, 80:90').waitFor();
    await rule1.getByLabel('Ports').fill('22,8000:8080');
    await page.getByRole('button', { name: 'Create security group' }).click();
    await page.getByRole('heading', { name: /^Security group \d+: web-sg$/ }).waitFor();
    const sg = Number(/secgroups\/(\d+)/.exec(page.url())![1]);

    await page.getByRole('tab', { name: 'Rules' }).click();
    const row = page.locator('tr[data-rule="0"]');
    await row.getByRole('cell', { name: '22,8000:8080' }).waitFor();
    assert.deepEqual(await row.locator('td').allInnerTexts(), ['inbound', 'TCP', '22,8000:8080', '-', 'any', '-']);
    assert.deepEqual(await axeViolations(page), []);

    // Update: an outbound ICMP rule besides the first.
    await page.getByRole('tab', { name: 'Update' }).click();
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const rule2 = page.getByRole('group', { name: 'Rule 2' });
    await rule2.getByLabel('Direction').selectOption('outbound');
    await rule2.getByLabel('Protocol').selectOption('ICMP');
    await page.getByRole('button', { name: 'Update rules' }).click();
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.locator('tr[data-rule="1"]').getByRole('cell', { name: 'ICMP' }).waitFor();
    const info = await cloud.oned.ok('one.secgroup.info', [sg]);
    assert.match(String(info), /<RULE_TYPE><!\[CDATA\[outbound\]\]><\/RULE_TYPE>|<RULE_TYPE>outbound<\/RULE_TYPE>/);

    // Clone: the copy's page.
    await page.getByRole('button', { name: 'Clone' }).click();
    await page.getByLabel('Name of the copy').fill('web-sg-2');
    await page.getByRole('dialog', { name: 'Clone' }).getByRole('button', { name: 'Clone' }).click();
    await page.getByRole('heading', { name: /^Security group \d+: web-sg-2$/ }).waitFor();

    // A VM's NIC gets the group from the VM page, and loses it.
    const vm = Number(await cloud.oned.ok('one.template.instantiate', [template, 'sg-vm', true, '', false]));
    await page.goto(`${cloud.url}vms/${vm}`);
    await page.getByRole('tab', { name: 'Network' }).click();
    await page.getByRole('button', { name: 'Attach security group to NIC 0' }).click();
    const dialog = page.getByRole('dialog', { name: 'Attach a security group to NIC 0 of VM' + ` ${vm}` });
    await dialog.getByLabel('Security group').selectOption(String(sg));
    await dialog.getByRole('button', { name: 'Confirm attach security group to nic 0' }).click();
    await page.getByRole('link', { name: String(sg), exact: true }).waitFor();
    await page.getByRole('button', { name: `Detach security group ${sg} from NIC 0` }).click();
    await page.getByRole('button', { name: `Confirm detach security group ${sg} from nic 0` }).click();
    await page.getByRole('link', { name: String(sg), exact: true }).waitFor({ state: 'detached' });
    await context.close();
  });

  test('a VM group with two roles; a role added and deleted', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'VM groups' }).click();
    await page.getByRole('link', { name: 'Create VM group' }).click();
    await page.getByLabel('Name', { exact: true }).fill('app');
    await page.getByRole('group', { name: 'Role 1' }).getByLabel('Role name').fill('web');
    await page.getByRole('button', { name: 'Add a role' }).click();
    const db = page.getByRole('group', { name: 'Role 2' });
    await db.getByLabel('Role name').fill('db');
    await db.getByLabel('VM placement').selectOption('ANTI_AFFINED');
    await page.getByLabel('Roles on different hosts').fill('web, cache');
    await page.getByRole('button', { name: 'Create VM group' }).click();
    await page.getByText('No role named cache').waitFor();
    await page.getByLabel('Roles on different hosts').fill('web, db');
    await page.getByRole('button', { name: 'Create VM group' }).click();
    await page.getByRole('heading', { name: /^VM group \d+: app$/ }).waitFor();
    await page.locator('tr[data-role="web"]').waitFor();
    assert.deepEqual((await page.locator('tr[data-role="db"] td').allInnerTexts()).slice(1, 3), ['db', 'ANTI_AFFINED']);
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('button', { name: 'Add role' }).click();
    await page.getByLabel('Role name').fill('cache');
    await page.getByRole('dialog', { name: 'Add role' }).getByRole('button', { name: 'Add role' }).click();
    await page.locator('tr[data-role="cache"]').waitFor();
    await page.getByRole('button', { name: 'Delete role cache' }).click();
    await page.getByRole('button', { name: 'Confirm delete role cache' }).click();
    await page.locator('tr[data-role="cache"]').waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.locator('dt:text-is("On different hosts") + dd').getByText(/web,\s*db/).waitFor();
    await context.close();
  });

  test('a virtual router with a floating IP; a NIC attached and detached; its VMs instantiated', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Virtual routers' }).click();
    await page.getByRole('link', { name: 'Create virtual router' }).click();
    await page.getByLabel('Name', { exact: true }).fill('gw');
    const nic = page.getByRole('group', { name: 'NIC 1' });
    await nic.getByLabel('Network').selectOption(String(vnet));
    await nic.getByLabel('Floating IP address').fill('10.9.0.40');
    await page.getByRole('button', { name: 'Create virtual router' }).click();
    await page.getByRole('heading', { name: /^Virtual router \d+: gw$/ }).waitFor();
    const vr = Number(/vrouters\/(\d+)/.exec(page.url())![1]);
    await page.getByRole('tab', { name: 'NICs' }).click();
    assert.deepEqual((await page.locator('tr[data-nic="0"] td').allInnerTexts()).slice(2, 4), ['10.9.0.40', 'yes']);
    assert.deepEqual(await axeViolations(page), []);

    // NICs change while the router has no VMs (with VMs, only while they run or are powered off).
    await page.getByRole('button', { name: 'Attach NIC' }).click();
    await page.getByRole('dialog', { name: /^Attach a NIC/ }).getByLabel('Network').selectOption(String(vnet));
    await page.getByRole('button', { name: 'Confirm attach nic' }).click();
    await page.locator('tr[data-nic="1"]').waitFor();
    await page.getByRole('button', { name: 'Detach NIC 1' }).click();
    await page.getByRole('button', { name: 'Confirm detach nic 1' }).click();
    await page.locator('tr[data-nic="1"]').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Instantiate' }).click();
    const dialog = page.getByRole('dialog', { name: /^Start the VMs of virtual router/ });
    await dialog.getByLabel('Number of VMs').fill('2');
    // Only the router templates are offered.
    assert.deepEqual(await dialog.getByLabel(/^VM template/).locator('option').allInnerTexts(), ['Choose…', `${routerTemplate}: router`]);
    await dialog.getByLabel(/^VM template/).selectOption(String(routerTemplate));
    await dialog.getByRole('button', { name: 'Confirm instantiate' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'VMs' }).click();
    await until('the router VMs in its page', async () => (await page.getByRole('link', { name: /^VM \d+$/ }).count()) === 2);
    const info = String(await cloud.oned.ok('one.vrouter.info', [vr]));
    assert.equal((info.match(/<VMS>(.*)<\/VMS>/)?.[1]?.match(/<ID>/g) ?? []).length, 2);

    // Now its VMs are pending: oned refuses a NIC change, and the dialog says why.
    await page.getByRole('tab', { name: 'NICs' }).click();
    await page.getByRole('button', { name: 'Attach NIC' }).click();
    const attach = page.getByRole('dialog', { name: /^Attach a NIC/ });
    await attach.getByLabel('Network').selectOption(String(vnet));
    await attach.getByRole('button', { name: 'Confirm attach nic' }).click();
    await attach.getByRole('alert').getByText(/not RUNNING or POWEROFF/).waitFor();

    await context.close();
  });

  test('a network template made with the form and instantiated into a network', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Network templates' }).click();
    await page.getByRole('link', { name: 'Create network template' }).click();
    await page.getByLabel('Name').fill('tpl-net');
    await page.getByLabel('Driver (VN_MAD)').selectOption('dummy');
    await page.getByLabel('Bridge').fill('br7');
    await page.getByLabel('First IP').fill('10.77.0.1');
    await page.getByLabel('Size (addresses)').fill('8');
    await page.getByRole('button', { name: 'Create network template' }).click();
    await page.getByRole('heading', { name: /^Network template \d+: tpl-net$/ }).waitFor();
    assert.equal(await page.locator('dt:text-is("Bridge") + dd').textContent(), 'br7');
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('button', { name: 'Instantiate' }).click();
    await page.getByLabel('Name of the network').fill('from-tpl');
    await page.getByRole('button', { name: 'Confirm instantiate' }).click();
    await page.getByRole('heading', { name: /^Network \d+: from-tpl$/ }).waitFor();
    await page.getByRole('tab', { name: 'Address ranges' }).click();
    await page.getByText('10.77.0.1 – 10.77.0.8').waitFor();
    await context.close();
  });

  test('a hook made with the form fires on its call; its run in the log, retried', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Hooks' }).click();
    await page.getByRole('link', { name: 'Create hook' }).click();
    await page.getByLabel('Name').fill('on-new-user');
    await page.getByLabel('API call', { exact: true }).fill('one.user.allocate');
    await page.getByLabel('Command').fill('/bin/echo');
    await page.getByLabel('Arguments', { exact: true }).fill('a user was made');
    await page.getByRole('button', { name: 'Create hook' }).click();
    await page.getByRole('heading', { name: /^Hook \d+: on-new-user$/ }).waitFor();
    await page.getByRole('tab', { name: 'Execution log' }).click();
    await page.getByText('The hook has not run yet.').waitFor();

    await cloud.oned.ok('one.user.allocate', ['hooked', 'pw', '', []]);
    const run0 = page.locator('tr[data-execution="0"]');
    await run0.waitFor({ timeout: 20_000 });
    assert.equal(await run0.getByTestId('exit-code').textContent(), '0');
    await run0.getByText('Output of run 0').click();
    await run0.getByText('a user was made').waitFor();
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('button', { name: 'Retry run 0' }).click();
    await page.getByRole('button', { name: 'Confirm retry run 0' }).click();
    await page.locator('tr[data-execution="1"]').getByText('(retry)').waitFor({ timeout: 20_000 });
    await context.close();
  });

  test('an http marketplace made with the form: listed with its driver, disabled and enabled', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Marketplaces', exact: true }).click();
    await page.getByRole('link', { name: 'Create marketplace' }).click();
    await page.getByLabel('Name').fill('site-market');
    await page.getByRole('button', { name: 'Create marketplace' }).click();
    await page.getByText('Enter the base url').waitFor();
    await page.getByLabel('Base URL').fill('http://127.0.0.1:8000/market');
    await page.getByLabel('Public directory').fill('/var/tmp/nebula-market-ui');
    await page.getByRole('button', { name: 'Create marketplace' }).click();
    await page.getByRole('heading', { name: /^Marketplace \d+: site-market$/ }).waitFor();
    await page.locator('.page-head .state', { hasText: 'ENABLED' }).waitFor();
    assert.equal(await page.locator('dt:text-is("Driver") + dd').textContent(), 'http');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Confirm disable' }).click();
    await page.locator('.page-head .state', { hasText: 'DISABLED' }).waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Confirm enable' }).click();
    await page.locator('.page-head .state', { hasText: 'ENABLED' }).waitFor();

    await page.getByRole('link', { name: 'Marketplaces', exact: true }).click();
    const listed = page.locator('tr', { has: page.getByRole('link', { name: 'site-market' }) });
    await listed.getByText('http', { exact: true }).waitFor();
    await context.close();
  });

  test("a cluster's Optimization tab: a plan made, its actions seen, the plan deleted", async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}clusters/0`);
    await page.getByRole('tab', { name: 'Optimization' }).click();
    await page.getByTestId('plan-state').getByText('No plan.').waitFor();
    await page.getByRole('button', { name: 'Optimize', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm optimize' }).click();
    await page.getByRole('dialog', { name: 'Confirm Optimize' }).waitFor({ state: 'hidden' });
    await until('a plan or the word that there is none', async () => (await page.getByTestId('plan-state').count()) === 1);
    assert.deepEqual(await axeViolations(page), []);
    if (!(await page.getByText('No plan.').isVisible())) {
      await page.getByRole('button', { name: 'Delete plan' }).click();
      await page.getByRole('button', { name: 'Confirm delete plan' }).click();
      await page.getByText('No plan.').waitFor();
    }
    await context.close();
  });
});

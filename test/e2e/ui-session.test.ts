/**
 * The operations center's front door in a real browser: login with oned's credentials (and
 * refusal of wrong ones), the session cookie (http-only), CSRF, the live VM list, logout, an
 * expired session and oned going away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, logIn, screenshot } from './ui-harness.js';

describe('operations center: sessions and the live VM list', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start();
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a wrong password is refused in the page; the right one opens the admin view', async () => {
    const { context, page } = await cloud.page();
    await page.getByLabel('User name').fill('oneadmin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong user name or password' }).waitFor();
    await screenshot(page, 'login');
    await logIn(page, 'oneadmin', ONEADMIN_PASSWORD);
    assert.equal(await page.getByText('Admin view').count(), 1);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'nebula_session');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    // The page's scripts never see the cookie.
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie.includes('nebula_session')), false);
    await context.close();
  });

  test('changes without the CSRF header are refused; oned credentials never reach the browser', async () => {
    const { context, page } = await cloud.page({ user: 'oneadmin', password: ONEADMIN_PASSWORD });
    const refused = await page.evaluate(async () => {
      const r = await fetch('/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'one.vm.allocate', params: ['CPU=1\nMEMORY=64'] }) });
      return { status: r.status, body: (await r.json()) as { error: string } };
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /CSRF/);
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).text());
    assert.doesNotMatch(me, new RegExp(ONEADMIN_PASSWORD));
    assert.doesNotMatch(me, /oneSession|token/i);
    const [ok] = await cloud.oned.call('one.vmpool.info', [-2, -1, -1, -1]);
    assert.equal(ok, true);
    assert.doesNotMatch(String((await cloud.oned.ok('one.vmpool.info', [-2, -1, -1, -1])) ?? ''), /<VM>/, 'the refused call created no VM');
    await context.close();
  });

  test('the VM list follows oned without a reload: a new VM appears and reaches RUNNING', async () => {
    const { context, page } = await cloud.page({ user: 'oneadmin', password: ONEADMIN_PASSWORD });
    await page.getByRole('link', { name: 'VMs' }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    const id = Number(await cloud.oned.ok('one.vm.allocate', ['NAME = "live-one"\nCPU = 1\nMEMORY = 64', false]));
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.getByText('PENDING').waitFor({ timeout: 15_000 });
    await cloud.oned.ok('one.vm.deploy', [id, 0, false, -1]);
    await row.getByText('RUNNING').waitFor({ timeout: 20_000 });
    // Search narrows on the server.
    await cloud.oned.ok('one.vm.allocate', ['NAME = "other-two"\nCPU = 1\nMEMORY = 64', false]);
    await page.getByTestId('row-count').getByText('2 items').waitFor({ timeout: 15_000 });
    await page.getByLabel('Search virtual machines').fill('live');
    await page.getByTestId('row-count').getByText('1 item').waitFor();
    assert.equal(await page.locator('tbody tr[data-id]').count(), 1);
    await screenshot(page, 'vm-list');
    await context.close();
  });

  test('logout ends the session: the API refuses the old cookie and oned forgets the token', async () => {
    const { context, page } = await cloud.page({ user: 'oneadmin', password: ONEADMIN_PASSWORD });
    const before = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    assert.equal(before, 200);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    const afterStatus = await page.evaluate(async () => (await fetch('/api/pool/vm')).status);
    assert.equal(afterStatus, 401);
    await context.close();
  });

  test('login page and VM list pass axe; the keyboard reaches the menu and the table', async () => {
    const { context, page } = await cloud.page();
    assert.deepEqual(await axeViolations(page), [], 'login page');
    await logIn(page, 'oneadmin', ONEADMIN_PASSWORD);
    await page.getByRole('link', { name: 'VMs' }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    await cloud.oned.ok('one.vm.allocate', ['NAME = "axe-vm"\nCPU = 1\nMEMORY = 64', false]);
    await page.getByText('axe-vm').waitFor({ timeout: 15_000 });
    assert.deepEqual(await axeViolations(page), [], 'VM list');
    // The skip link is the first stop of the keyboard on a fresh page.
    await page.reload();
    await page.getByText('axe-vm').waitFor();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent);
    assert.equal(first, 'Skip to content');
    await context.close();
  });

  test('on a phone-sized screen the menu folds behind a button and the list still works', async () => {
    const { context, page } = await cloud.page({ user: 'oneadmin', password: ONEADMIN_PASSWORD }, { width: 390, height: 844 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.isVisible(), false, 'the menu is folded');
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'VMs' }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    assert.equal(await nav.isVisible(), false, 'choosing a page folds the menu again');
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page fits the screen (${width}px)`);
    await screenshot(page, 'phone-vm-list');
    await context.close();
  });

  test('an expired session sends the page back to login with a notice', async () => {
    const { context, page } = await cloud.page({ user: 'oneadmin', password: ONEADMIN_PASSWORD });
    await context.clearCookies();
    // The next call finds the session gone: the VM list's, or one the live page makes first (then
    // the link is already gone with the frame).
    await page.getByRole('link', { name: 'VMs' }).click({ timeout: 5000 }).catch(() => undefined);
    await page.getByText('Your session has expired').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Log in' }).count(), 1);
    await context.close();
  });
});

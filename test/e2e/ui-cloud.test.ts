/**
 * The cloud (self-service) view in a real browser, as a plain user meets it: alice (group users,
 * a VM quota of 2 VMs, 2 CPU, 256 MB) launches from a template shared with her group, watches her
 * quota fill, is refused above it (by the form first, by oned when the form's check is bypassed),
 * powers off, starts and terminates her VM, sets her SSH key and password; oned refuses her admin
 * calls. Consoles: carol's VNC VM on a dummy host named 127.0.0.1 reaches a fake VNC server
 * through the websocket proxy into noVNC's canvas; a used token, a foreign Origin, a VM without
 * VNC and a stopped VM each get their sentence.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { FakeVnc } from './fake-vnc.js';
import { UiCloud, UI_SKIP, axeViolations, screenshot } from './ui-harness.js';
import { waitForLitPixels } from './ui-console-helpers.js';

const USERS_GROUP = 1;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq0m9mQ0sG3b7uWmXc1Zq4Gk8bq3Jm0mZy1l2Xo8cD alice@laptop';

/** A change through the page's own session (the CSRF token from /api/auth/me), as a script in the page could. */
async function apiCall(page: Page, method: string, params: unknown[]): Promise<{ status: number; body: { error?: string; result?: unknown } }> {
  return page.evaluate(
    async ([m, p]) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrf: string };
      const r = await fetch('/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf }, body: JSON.stringify({ method: m, params: p }) });
      return { status: r.status, body: (await r.json()) as { error?: string; result?: unknown } };
    },
    [method, params] as const,
  );
}

describe('operations center: the cloud view and consoles', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let fake: FakeVnc;
  let alice: number;
  let carol: number;
  let small: number;
  let vncHost: number;
  let vncVm: number;
  let plainVm: number;
  let offVm: number;

  const vmsOf = async (uid: number) => {
    const xml = String(await cloud.oned.ok('one.vmpool.info', [uid, -1, -1, -1]));
    return [...xml.matchAll(/<VM><ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
  };
  const state = async (id: number) => {
    const xml = String(await cloud.oned.ok('one.vm.info', [id]));
    return [Number(/<STATE>(\d+)</.exec(xml)![1]), Number(/<LCM_STATE>(\d+)</.exec(xml)![1])];
  };
  const waitState = async (id: number, s: number, lcm?: number) => {
    for (let i = 0; i < 150; i++) {
      const [a, b] = await state(id);
      if (a === s && (lcm === undefined || b === lcm)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    const log = join(cloud.oned.location, 'var', 'vms', String(id), 'vm.log');
    assert.fail(`VM ${id} never reached state ${s}/${lcm}: ${await state(id)}\n${existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : ''}`);
  };

  before(async () => {
    cloud = await UiCloud.start();
    fake = await FakeVnc.start();
    const o = cloud.oned;
    // Dummy transfers on the system datastore: terminating a VM needs no ssh to the dummy hosts.
    await o.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    alice = Number(await o.ok('one.user.allocate', ['alice', 'alice-pw', '', []]));
    await o.ok('one.user.quota', [alice, 'VM = [ VMS = 2, CPU = 2, MEMORY = 256 ]']);
    carol = Number(await o.ok('one.user.allocate', ['carol', 'carol-pw', '', []]));
    // A template of oneadmin's, given to the users group and usable by it (GROUP_U).
    small = Number(await o.ok('one.template.allocate', ['NAME = "small"\nCPU = "1"\nMEMORY = "128"']));
    await o.ok('one.template.chown', [small, -1, USERS_GROUP]);
    await o.ok('one.template.chmod', [small, -1, -1, -1, 1, -1, -1, -1, -1, -1]);
    // The console's host: a dummy host whose name is this machine's loopback, where the fake VNC listens.
    vncHost = Number(await o.ok('one.host.allocate', ['127.0.0.1', 'dummy', 'dummy', -1]));
    const running = async (tpl: string, owner: number, action?: string) => {
      const id = Number(await o.ok('one.vm.allocate', [tpl, false]));
      await o.ok('one.vm.chown', [id, owner, -1]);
      await o.ok('one.vm.deploy', [id, vncHost, false, -1]);
      await waitState(id, 3, 3);
      if (action) {
        await o.ok('one.vm.action', [action, id]);
        await waitState(id, 8);
      }
      return id;
    };
    vncVm = await running(`NAME = "desk"\nCPU = 1\nMEMORY = 64\nGRAPHICS = [ TYPE = "VNC", LISTEN = "0.0.0.0", PORT = "${fake.port}" ]`, carol);
    plainVm = await running('NAME = "headless"\nCPU = 1\nMEMORY = 64', carol);
    offVm = await running(`NAME = "sleeper"\nCPU = 1\nMEMORY = 64\nGRAPHICS = [ TYPE = "VNC", PORT = "${fake.port}" ]`, carol, 'poweroff');
  });
  after(async () => {
    await cloud?.stop();
    await fake?.stop();
  });

  test('alice logs in to the cloud view: her VMs and quota, no admin pages', async () => {
    const { context, page } = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await page.getByRole('heading', { name: 'My virtual machines' }).waitFor();
    assert.equal(await page.getByText('Cloud view').count(), 1);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Launch a VM' }).waitFor();
    for (const admin of ['Hosts', 'VMs', 'Users', 'Datastores', 'Clusters']) assert.equal(await nav.getByRole('link', { name: admin, exact: true }).count(), 0, `no ${admin} in alice's menu`);
    await page.getByTestId('quota-summary').getByText('VMs: 0 of 2').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test('alice launches a VM from the shared template and sees it and her quota fill', async () => {
    const { context, page } = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await page.getByRole('link', { name: 'Launch a VM' }).first().click();
    await page.getByRole('heading', { name: 'Launch a VM' }).waitFor();
    await page.getByRole('link', { name: 'Launch small' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('link', { name: 'Launch small' }).click();
    await page.getByLabel('VM name').fill('alice-1');
    await page.getByText('Quota left: 2 CPU').waitFor();
    await page.getByText('Quota left: 256 MB').waitFor();
    await screenshot(page, 'cloud-launch');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Launch VM' }).click();
    await page.getByRole('heading', { name: /^VM \d+: alice-1$/ }).waitFor();
    const [id] = await vmsOf(alice);
    assert.ok(id !== undefined, 'oned has alice\'s VM');
    await page.getByRole('link', { name: 'Back to my VMs' }).click();
    await page.locator(`tr[data-id="${id}"]`).getByRole('link', { name: 'alice-1' }).waitFor();
    await page.getByTestId('quota-summary').getByText('VMs: 1 of 2').waitFor();
    await page.getByTestId('quota-summary').getByText('Memory: 128 MB of 256 MB').waitFor();
    await screenshot(page, 'cloud-home');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('link', { name: 'My quotas' }).click();
    const vmRow = page.getByRole('row', { name: /Virtual machines/ });
    await vmRow.getByText('1 of 2').waitFor();
    await page.getByRole('row', { name: /^CPU/ }).getByText('1 of 2').waitFor();
    await screenshot(page, 'cloud-quotas');
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test('above the quota the field refuses before submit; oned refuses when the check is bypassed', async () => {
    const before = (await vmsOf(alice)).length;
    const { context, page } = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await page.goto(`${cloud.url}launch/${small}`);
    await page.getByLabel('CPU').fill('2');
    await page.getByText('Above your quota: 1 CPU left').waitFor();
    await page.getByLabel('Memory (MB)').fill('200');
    await page.getByText('Above your quota: 128 MB left').waitFor();
    await page.getByRole('button', { name: 'Launch VM' }).click();
    assert.equal(await page.getByRole('heading', { name: 'Launch small' }).count(), 1, 'the form stays');
    assert.equal((await vmsOf(alice)).length, before, 'nothing reached oned');
    await page.getByLabel('CPU').fill('abc');
    await page.getByText('Enter the CPU as a number').waitFor();
    await context.close();

    // The form's check bypassed (its quota says "no limit"): oned's own refusal shows in the form.
    const second = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await second.page.route('**/api/call', async (route) => {
      const body = route.request().postDataJSON() as { method: string };
      if (body.method !== 'one.user.info') return route.continue();
      const res = await route.fetch();
      const json = (await res.json()) as { result: { USER: { VM_QUOTA: { VM: Record<string, string> } } } };
      Object.assign(json.result.USER.VM_QUOTA.VM, { VMS: '-2', CPU: '-2', MEMORY: '-2' });
      await route.fulfill({ response: res, json });
    });
    await second.page.goto(`${cloud.url}launch/${small}`);
    await second.page.getByText('Quota left: no limit CPU').waitFor();
    await second.page.getByLabel('CPU').fill('2');
    await second.page.getByRole('button', { name: 'Launch VM' }).click();
    await second.page.getByRole('alert').filter({ hasText: /limit of 2 reached for .*CPU quota/ }).waitFor();
    assert.equal((await vmsOf(alice)).length, before);
    // And a direct call through the server: oned's message, as it is.
    const direct = await apiCall(second.page, 'one.template.instantiate', [small, 'sneaky', false, 'CPU = "4"', false]);
    assert.equal(direct.status, 400);
    assert.match(direct.body.error ?? '', /limit of 2 reached for .*CPU quota/);
    await second.context.close();
  });

  test("alice's admin calls are refused by oned with her own credentials", async () => {
    const { context, page } = await cloud.page({ user: 'alice', password: 'alice-pw' });
    const r = await apiCall(page, 'one.host.allocate', ['sneaky-host', 'dummy', 'dummy', -1]);
    assert.equal(r.status, 403);
    assert.match(r.body.error ?? '', /Not authorized|authoriz/i);
    assert.doesNotMatch(String(await cloud.oned.ok('one.hostpool.info', [])), /sneaky-host/);
    await context.close();
  });

  test('alice powers off, starts and terminates her VM, each after confirming', async () => {
    const [id] = await vmsOf(alice);
    await cloud.oned.ok('one.vm.deploy', [id!, 0, false, -1]);
    await waitState(id!, 3, 3);
    const { context, page } = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await page.locator(`tr[data-id="${id}"]`).getByRole('link', { name: 'alice-1' }).click();
    // The VM's own page (not the list's badge, still on screen while the page changes).
    await page.getByRole('heading', { name: new RegExp(`^VM ${id}: alice-1$`) }).waitFor();
    await page.locator('.page-head').getByText('RUNNING').waitFor({ timeout: 15_000 });
    for (const absent of ['Deploy', 'Migrate', 'Start']) assert.equal(await page.getByRole('button', { name: absent, exact: true }).count(), 0, `no ${absent}`);
    await page.getByRole('button', { name: 'Power off', exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm Power off' }).getByRole('button', { name: 'Confirm power off' }).click();
    await page.getByText('POWEROFF').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm start' }).click();
    await page.getByText('RUNNING').waitFor({ timeout: 20_000 });
    // Cancel first: nothing happens.
    await page.getByRole('button', { name: 'Terminate', exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm Terminate' }).getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(await state(id!), [3, 3]);
    await page.getByRole('button', { name: 'Terminate', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm terminate' }).click();
    await page.getByRole('heading', { name: 'My virtual machines' }).waitFor();
    await waitState(id!, 6);
    await page.getByTestId('quota-summary').getByText('VMs: 0 of 2').waitFor({ timeout: 15_000 });
    await context.close();
  });

  test('settings: a bad SSH key is refused in the field, a good one reaches oned; the password changes; the EC2 keys show and rotate', async () => {
    const { context, page } = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const key = page.getByLabel(/Public key/);
    await key.fill('hello I am not a key');
    await page.getByText('Line 1 is not an SSH public key').waitFor();
    await page.getByRole('button', { name: 'Save SSH key' }).click();
    assert.doesNotMatch(String(await cloud.oned.ok('one.user.info', [alice])), /SSH_PUBLIC_KEY/);
    await key.fill(KEY);
    assert.equal(await page.getByText('Line 1 is not an SSH public key').count(), 0);
    await page.getByRole('button', { name: 'Save SSH key' }).click();
    await page.getByRole('status').filter({ hasText: 'SSH key saved.' }).waitFor();
    const info = String(await cloud.oned.ok('one.user.info', [alice]));
    assert.ok(info.includes(KEY), 'the key is in alice\'s template');
    assert.match(info, /<AUTH_DRIVER>/, 'merged: the rest of the user is there');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'settings');

    // EC2 keys: the secret is hidden until asked, is the one oned keeps, and rotates.
    const secretOf = async () => {
      const xml = String(await cloud.oned.ok('one.user.info', [alice, true]));
      return /<EC2_SECRET_KEY><!\[CDATA\[([^\]]*)\]\]><\/EC2_SECRET_KEY>/.exec(xml)?.[1] ?? /<EC2_SECRET_KEY>([^<]*)</.exec(xml)?.[1];
    };
    await page.getByRole('heading', { name: 'EC2 access keys' }).waitFor();
    assert.equal(await page.getByTestId('ec2-access-key').textContent(), 'alice');
    assert.doesNotMatch(String(await page.getByTestId('ec2-secret-key').textContent()), /[A-Za-z0-9]/, 'hidden at first');
    await page.getByRole('button', { name: 'Show secret key' }).click();
    const before = await secretOf();
    assert.ok(before && before.length === 40, String(before));
    await page.getByTestId('ec2-secret-key').getByText(before).waitFor();
    await page.getByRole('button', { name: 'Make a new secret key' }).click();
    await page.getByRole('status').filter({ hasText: 'New secret key made' }).waitFor();
    const after = await secretOf();
    assert.ok(after && after !== before && after.length === 40, `rotated: ${after}`);
    await page.getByTestId('ec2-secret-key').getByText(after).waitFor();

    await page.getByLabel('New password', { exact: true }).fill('new-alice-pw');
    await page.getByLabel('Confirm the new password').fill('new-alice-pX');
    await page.getByText('The two passwords differ').waitFor();
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByLabel('Confirm the new password').fill('new-alice-pw');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();

    await context.close();
    const again = await cloud.page({ user: 'alice', password: 'new-alice-pw' });
    await again.page.getByRole('heading', { name: 'My virtual machines' }).waitFor();
    await again.context.close();
    await cloud.oned.ok('one.user.passwd', [alice, 'alice-pw']);
  });

  test('on a phone-sized screen the cloud view folds its menu and stays accessible', async () => {
    // Logged in by hand: on a phone the menu is folded, so the harness's wait for it does not apply.
    const { context, page } = await cloud.page(undefined, { width: 390, height: 844 });
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-pw');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'My virtual machines' }).waitFor();
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My quotas' }).click();
    await page.getByRole('heading', { name: 'My quotas' }).waitFor();
    const overflow = await page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const d = (globalThis as any).document.documentElement;
      const wide = [...d.querySelectorAll('*')].filter((e: any) => e.getBoundingClientRect().right > d.clientWidth + 1).map((e: any) => `${e.tagName}.${e.className}`);
      return `${d.scrollWidth - d.clientWidth} ${wide.slice(0, 8).join(' ')}`;
    });
    assert.ok(Number(overflow.split(' ')[0]) <= 1, `no sideways scrolling (${overflow})`);
    assert.deepEqual(await axeViolations(page), []);
    await page.goto(`${cloud.url}launch/${small}`);
    await page.getByLabel('Memory (MB)').fill('999');
    await page.getByText('Above your quota: 256 MB left').waitFor();
    await context.close();
  });

  test("carol opens her VM's VNC console: the proxy reaches the VNC server and noVNC paints", async () => {
    const { context, page } = await cloud.page({ user: 'carol', password: 'carol-pw' });
    await page.goto(`${cloud.url}cloud/vms/${vncVm}`);
    await page.getByRole('link', { name: 'Open console' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Serial output' }).count(), 0, 'a dummy host keeps no serial output: no link');
    await page.getByRole('link', { name: 'Open console' }).click();
    await page.getByTestId('console-status').getByText('Connected').waitFor({ timeout: 20_000 });
    assert.ok(fake.initialised >= 1, 'the handshake went through the proxy');
    const lit = await waitForLitPixels(page, 100, 10_000);
    assert.ok(lit >= 100, `the canvas shows the server's frame (${lit} lit pixels)`);
    await screenshot(page, 'console');
    await context.close();
  });

  test('a console token works once; a foreign page may not open a console websocket', async () => {
    const { context, page } = await cloud.page({ user: 'carol', password: 'carol-pw' });
    const r = await page.evaluate(async (vm) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrf: string };
      const res = await fetch(`/api/vm/${vm}/console`, { method: 'POST', headers: { 'X-CSRF-Token': me.csrf, 'Content-Type': 'application/json' }, body: '{}' });
      const { path } = (await res.json()) as { path: string };
      const open = () =>
        new Promise<{ first: string; code: number; reason: string }>((resolve) => {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const ws = new (globalThis as any).WebSocket(`ws://${(globalThis as any).location.host}${path}`, ['binary']);
          ws.binaryType = 'arraybuffer';
          let first = '';
          ws.onmessage = (e: { data: ArrayBuffer }) => {
            first ||= new TextDecoder().decode(e.data);
            ws.close();
          };
          ws.onclose = (e: { code: number; reason: string }) => resolve({ first, code: e.code, reason: e.reason });
        });
      return { path, one: await open(), two: await open() };
    }, vncVm);
    assert.equal(r.one.first, 'RFB 003.008\n', 'the VNC server\'s first line reached the browser');
    assert.equal(r.two.code, 4001);
    assert.match(r.two.reason, /expired or was already used/);
    await context.close();

    // Another site's page (its Origin) is refused before any websocket exists.
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${cloud.url.replace(/^http/, 'ws')}api/console/ws?token=x`, ['binary'], { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    assert.equal(status, 403);
  });

  test('a VM without VNC, or not running, or someone else\'s: the console page says so', async () => {
    const { context, page } = await cloud.page({ user: 'carol', password: 'carol-pw' });
    await page.goto(`${cloud.url}vms/${plainVm}/console`);
    await page.getByRole('alert').filter({ hasText: 'has no VNC console' }).waitFor();
    await page.goto(`${cloud.url}vms/${offVm}/console`);
    await page.getByRole('alert').filter({ hasText: 'is not running' }).waitFor();
    await context.close();
    const other = await cloud.page({ user: 'alice', password: 'alice-pw' });
    await other.page.goto(`${cloud.url}vms/${vncVm}/console`);
    await other.page.getByRole('alert').filter({ hasText: /Not authorized|authoriz/i }).waitFor();
    await other.context.close();
  });

  test('a limit left to the default shows the default quota (dave has no quota of his own)', async () => {
    await cloud.oned.ok('one.user.allocate', ['dave', 'dave-pw', '', []]);
    await cloud.oned.ok('one.vm.allocate', ['NAME = "dave-1"\nCPU = 1\nMEMORY = 64', false], 'dave:dave-pw');
    await cloud.oned.ok('one.userquota.update', ['VM = [ CPU = 8 ]']);
    const { context, page } = await cloud.page({ user: 'dave', password: 'dave-pw' });
    await page.getByRole('link', { name: 'My quotas' }).click();
    await page.getByRole('row', { name: /^CPU/ }).getByText('1 of 8').waitFor();
    await page.getByRole('row', { name: /^Virtual machines/ }).getByText('1 (no limit)').waitFor();
    await context.close();
  });
});

/**
 * Issue 12's console acceptance on a real guest: the tiny guest boots under QEMU on a namespace
 * host (test/e2e/real-cloud.ts) with GRAPHICS=[TYPE=VNC, LISTEN=0.0.0.0]; sunstone-server runs
 * beside oned with the hosts' ssh on its PATH, as an admin's would; Chromium opens the VM's
 * console page and noVNC's canvas gets the guest's screen (lit pixels, read from the canvas).
 * Then its serial output page shows the guest's boot marker, streamed from the host.
 * The kernel writes to the screen too (console=tty0 before ttyS0, which stays /dev/console for
 * the boot markers), so the screen is not left black after the firmware.
 * Needs root; `npm run test:real`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ONEADMIN_PASSWORD } from './harness.js';
import { GUEST_DIR, RealCloud, S } from './real-cloud.js';
import { realSkip, type HostSpace } from './real-host-fixture.js';
import { waitForLitPixels } from './ui-console-helpers.js';
import { CHROMIUM, SunstoneProcess, UI_SKIP, launchChromium, logIn, screenshot } from './ui-harness.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-uiconsole', net: '10.76.0', bridge: 'onetbr76' };
const LONG = { timeout: 1_200_000 };
const skip = RealCloud.unavailable() ?? (UI_SKIP || undefined);

describe('a real guest\'s VNC console in the browser', { skip: realSkip(skip) }, () => {
  let cloud: RealCloud;
  let sunstone: SunstoneProcess;
  let browser: Browser;

  before(async () => {
    cloud = await RealCloud.make(['uicon1', 'uicon2'], 0.5, SPACE);
    await cloud.oned.ok('one.template.update', [
      cloud.templateId,
      `OS = [ KERNEL = "${GUEST_DIR}/vmlinuz", INITRD = "${GUEST_DIR}/initrd.img", ROOT = "vda", KERNEL_CMD = "console=tty0 console=ttyS0 panic=-1" ]`,
      1,
    ]);
    // Started after RealCloud put the hosts' ssh wrapper first on PATH: the proxy's `ssh -W` uses it.
    sunstone = await SunstoneProcess.start(cloud.oned);
    browser = await launchChromium();
  }, LONG);

  after(async () => {
    await browser?.close().catch(() => undefined);
    await sunstone?.stop();
    await cloud?.stop();
  });

  test('the booting guest shows on the noVNC canvas', LONG, async () => {
    const [id] = await cloud.instantiate();
    await cloud.waitState(id!, S.ACTIVE);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(sunstone.url);
    await logIn(page, 'oneadmin', ONEADMIN_PASSWORD);
    await page.goto(`${sunstone.url}vms/${id}/console`);
    try {
      await page.getByTestId('console-status').getByText('Connected').waitFor({ timeout: 60_000 });
    } catch (err) {
      const status = await page.getByTestId('console-status').textContent().catch(() => '?');
      throw new Error(`console not connected: page says "${status}"; sunstone-server:\n${sunstone.output.slice(-2000)}\n${(err as Error).message}`);
    }
    // The guest's screen: firmware, then the kernel's messages on tty0.
    const lit = await waitForLitPixels(page, 200, 120_000);
    await screenshot(page, 'console-real');
    assert.ok(lit >= 200, `the canvas shows the guest's screen (${lit} lit pixels); ${CHROMIUM}`);
    // The guest kept booting meanwhile: its serial output (a file on the host) has the boot marker,
    // and the serial page streams it from the host.
    await cloud.consoleShows(id!, /TINYGUEST-BOOTED/);
    await page.getByRole('link', { name: 'Serial output' }).click();
    try {
      await page.getByTestId('serial-output').getByText(/TINYGUEST-BOOTED host=\S+/).waitFor({ timeout: 60_000 });
    } catch (err) {
      const status = await page.getByTestId('serial-status').textContent().catch(() => '?');
      throw new Error(`no boot marker in the serial page: it says "${status}"; sunstone-server:\n${sunstone.output.slice(-2000)}\n${(err as Error).message}`);
    }
    await screenshot(page, 'serial-real');
    console.log(`# ${/console of VM .*/.exec(sunstone.output)?.[0] ?? 'no console line in the server output'}; ${lit} lit pixels`);
    await context.close();
  });
});

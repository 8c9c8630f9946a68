/**
 * The operations center as a user meets it: oned (dummy drivers, SQLite), `sunstone-server` as
 * its own process, and Debian's Chromium driven by Playwright (playwright-core with
 * /usr/bin/chromium; never a browser download). Without Chromium the UI suites skip with the
 * reason, except under CI=true where that is a failure (.ci/run installs the package).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, Oned, type OnedOptions } from './harness.js';

export const CHROMIUM = process.env.NEBULA_CHROMIUM ?? '/usr/bin/chromium';
/** Why the UI suites cannot run here ('' when they can). */
export const UI_SKIP = existsSync(CHROMIUM) ? '' : `Debian's chromium is not installed (${CHROMIUM}); apt-get install chromium`;
if (UI_SKIP && process.env.CI === 'true') throw new Error(`UI suites: ${UI_SKIP}`);

export const SUNSTONE = resolve(import.meta.dirname, '../../src/ui/server/main.js');
const ROOT = resolve(import.meta.dirname, '../../..');

/** oneflow-server's program (dist/src/flow/main.js). */
export const ONEFLOW = resolve(import.meta.dirname, '../../src/flow/main.js');

/** A server of ours run as its own process beside oned (sunstone-server, oneflow-server): its URL is what it prints when ready. */
export class ServerProcess {
  output = '';
  protected constructor(
    readonly proc: ChildProcess,
    readonly url: string,
  ) {}

  static async spawn(script: string, ready: RegExp, oned: Oned, opts: { port?: number; args?: string[]; env?: Record<string, string> } = {}): Promise<ServerProcess> {
    const port = opts.port ?? (await freePort());
    const proc = spawn(process.execPath, [script, '--port', String(port), ...(opts.args ?? [])], {
      env: { ...process.env, ONE_LOCATION: oned.location, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth'), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((res, rej) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = ready.exec(output);
        if (m) res(m[1]!);
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => rej(new Error(`${script} exited with ${code}:\n${output}`)));
    });
    const s = new ServerProcess(proc, url);
    s.output = output;
    proc.stdout!.on('data', (d: Buffer) => (s.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (s.output += d.toString()));
    return s;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((res) => {
      this.proc.once('exit', () => res());
      this.proc.kill('SIGTERM');
    });
  }
}

/** A running sunstone-server process. */
export type SunstoneProcess = ServerProcess;
export const SunstoneProcess = {
  start: (oned: Oned, opts: { port?: number; args?: string[]; env?: Record<string, string> } = {}): Promise<SunstoneProcess> =>
    ServerProcess.spawn(SUNSTONE, /operations center is at (\S+)/, oned, opts),
};

/** A running oneflow-server, with its conf (`$ONE_LOCATION/etc/oneflow-server.conf`) when given. */
export async function startOneFlow(oned: Oned, conf?: string): Promise<ServerProcess> {
  if (conf !== undefined) writeFileSync(join(oned.location, 'etc', 'oneflow-server.conf'), conf);
  return ServerProcess.spawn(ONEFLOW, /OneFlow is at (\S+)/, oned);
}

/** oned (dummy drivers, a dummy host when `withHost`), sunstone-server and a headless Chromium. */
export class UiCloud {
  private constructor(
    readonly oned: Oned,
    readonly sunstone: SunstoneProcess,
    readonly browser: Browser,
    /** oneflow-server, when started (`oneflow` option). */
    readonly oneflow?: ServerProcess,
  ) {}

  /**
   * `oneflow`: start oneflow-server too (its conf text, '' for none) and point sunstone-server at
   * it; `oneflowUrl`: point sunstone-server at this URL instead (a dead one to see the pages say so).
   */
  static async start(opts: { oned?: Partial<OnedOptions>; withHost?: boolean; sunstoneArgs?: string[]; oneflow?: string; oneflowUrl?: string } = {}): Promise<UiCloud> {
    const oned = await Oned.start({ backend: 'sqlite', ...opts.oned });
    if (opts.withHost !== false) await oned.ok('one.host.allocate', ['host0', 'dummy', 'dummy', -1]);
    const oneflow = opts.oneflow !== undefined ? await startOneFlow(oned, opts.oneflow) : undefined;
    const flowUrl = oneflow?.url ?? opts.oneflowUrl;
    if (flowUrl) writeFileSync(join(oned.location, 'etc', 'sunstone-server.conf'), `oneflow_server: ${flowUrl.replace(/\/+$/, '')}\n`);
    const sunstone = await SunstoneProcess.start(oned, { args: opts.sunstoneArgs });
    const browser = await launchChromium();
    return new UiCloud(oned, sunstone, browser, oneflow);
  }

  get url(): string {
    return this.sunstone.url;
  }

  /** A fresh browser context (own cookies) with a page at the app, logged in when given credentials. */
  async page(login?: { user: string; password: string }, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ viewport, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(this.url);
    if (login) await logIn(page, login.user, login.password);
    return { context, page };
  }

  async stop(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.sunstone.stop();
    await this.oneflow?.stop();
    await this.oned.stop();
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine's network is closed: no background connections, no component updates.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Logs in through the login form and waits for the app's frame. */
export async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // The header's logout button: visible at every screen size (the menu folds on phones).
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

const require = createRequire(import.meta.url);

/** axe-core's violations on the page (WCAG 2 A/AA rules), as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const g = globalThis as any;
    const r = await g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v: { id: string; help: string; nodes: { target: string[] }[] }) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result as string[];
}

/** Saves a screenshot into docs/screenshots when NEBULA_UI_SCREENSHOTS=1 (the docs' pictures). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.NEBULA_UI_SCREENSHOTS !== '1') return;
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/**
 * Clicks an action button (inside the button group named `group` when given: "VM actions"),
 * then its dialog's confirm button, and waits for the dialog to close (the action succeeded).
 */
export async function confirmAction(page: Page, label: string, group?: string): Promise<void> {
  const scope = group ? page.getByRole('group', { name: group }) : page;
  await scope.getByRole('button', { name: label, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Confirm ${label}` });
  await dialog.getByRole('button', { name: `Confirm ${label.toLowerCase()}` }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Polls `check` every 100 ms until it holds; fails naming `what` after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

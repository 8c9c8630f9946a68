/**
 * Storage in the operations center, in a real browser as oneadmin: an image uploaded from the
 * browser and one registered from a path reach READY through oned's fs datastore driver; clone,
 * persistent, disable/enable, rename and delete from the image's page; forms refuse missing
 * values before sending anything and show oned's refusals; datastores with their capacity and
 * images; a phone-sized screen.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations, screenshot } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

/** Counts the calls the page sends to oned through the server (to prove a refused form sent none). */
function countCalls(page: Page): () => number {
  let n = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/call') || r.url().includes('/api/upload')) n++;
  });
  return () => n;
}

/**
 * Elements of the page's content reaching past the right edge of the content area (on a phone:
 * sideways scrolling), measured against the content area itself: on 390 px the frame's header
 * (layout.tsx, not these pages) is 404 px wide today and widens the whole frame with it.
 */
function tooWide(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const g = globalThis as any;
    const main = g.document.querySelector('main');
    const edge = main.getBoundingClientRect().right - parseFloat(g.getComputedStyle(main).paddingRight);
    const out: string[] = [];
    for (const el of main.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > edge + 1 && !el.closest('.scroller, dialog:not([open])')) out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)}px of ${Math.round(edge)})`);
    }
    return out.slice(0, 30);
  });
}

describe('operations center: images, files and datastores', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  // In /var/tmp: the SAFE_DIRS of the default datastores, so the fs driver may copy from it.
  const dir = mkdtempSync('/var/tmp/nebula-ui-storage-');
  const uploads: string[] = [];
  before(async () => {
    cloud = await UiCloud.start();
  });
  after(async () => {
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const u of uploads) rmSync(u, { recursive: true, force: true });
  });

  async function newImagePage(page: Page) {
    await page.getByRole('link', { name: 'Images', exact: true }).click();
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    await page.getByRole('link', { name: 'Create image' }).click();
    await page.getByRole('heading', { name: 'Create an image' }).waitFor();
    // The datastore list has loaded (default is 1).
    await page.getByLabel('Datastore').locator('option').first().waitFor({ state: 'attached' });
  }

  test('an image uploaded from the browser goes READY; one registered from a path too', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await newImagePage(page);
    await page.getByLabel('Name').fill('uploaded-disk');
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'tiny disk.img', mimeType: 'application/octet-stream', buffer: Buffer.alloc(64 * 1024, 7) });
    await screenshot(page, 'image-upload');
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByRole('heading', { name: /^Image \d+: uploaded-disk$/ }).waitFor();
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });
    const path = await page.locator('dt:text-is("Path") + dd').textContent();
    assert.match(path ?? '', /^\/var\/tmp\/nebula-upload\/[0-9a-f]+\/tiny_disk\.img$/, 'the upload kept a safe name in a directory of its own');
    uploads.push(dirname(path!));
    const source = await page.locator('dt:text-is("Source") + dd').textContent();
    assert.match(source ?? '', /datastores\/1\//, 'the fs driver copied it into the datastore');

    const file = join(dir, 'from-path.img');
    writeFileSync(file, Buffer.alloc(32 * 1024, 1));
    await newImagePage(page);
    await page.getByLabel('Name').fill('path-disk');
    await page.getByLabel('Path on the server or URL').check();
    await page.getByLabel('Path or URL').fill(file);
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByRole('heading', { name: /path-disk$/ }).waitFor();
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });

    // The upload is behind the session's CSRF check like every change.
    const refused = await page.evaluate(async () => {
      const r = await fetch('/api/upload?name=x.img', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: 'data' });
      return { status: r.status, body: (await r.json()) as { error: string } };
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /CSRF/);

    await page.getByRole('link', { name: 'Images', exact: true }).click();
    await page.getByTestId('row-count').getByText('2 items').waitFor();
    await page.locator('tr', { hasText: 'uploaded-disk' }).getByText('READY').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'images');
    await context.close();
  });

  test('clone, rename, persistent, disable and enable, delete: each after a confirmation', async () => {
    const file = join(dir, 'actions.img');
    writeFileSync(file, Buffer.alloc(16 * 1024, 2));
    const id = Number(await cloud.oned.ok('one.image.allocate', [`NAME = "act-disk"\nPATH = "${file}"`, 1]));
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}images/${id}`);
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });
    assert.deepEqual(await axeViolations(page), []);

    // Persistent: asks, then the page says so and offers the way back.
    await page.getByRole('button', { name: 'Make persistent' }).click();
    await page.getByRole('button', { name: 'Confirm make persistent' }).click();
    await page.getByRole('button', { name: 'Make non-persistent' }).waitFor();
    assert.equal(await page.locator('dt:text-is("Persistent") + dd').textContent(), 'yes');
    await page.getByRole('button', { name: 'Make non-persistent' }).click();
    await page.getByRole('button', { name: 'Confirm make non-persistent' }).click();
    await page.getByRole('button', { name: 'Make persistent' }).waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Confirm disable' }).click();
    await page.locator('.page-head').getByText('DISABLED').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Confirm enable' }).click();
    await page.locator('.page-head').getByText('READY').waitFor();

    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name').fill('act-renamed');
    await page.getByRole('dialog', { name: 'Rename' }).getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: `Image ${id}: act-renamed` }).waitFor();

    await page.getByRole('button', { name: 'Clone' }).click();
    const clone = page.getByRole('dialog', { name: 'Clone' });
    assert.equal(await clone.getByLabel('Name of the copy').inputValue(), 'act-renamed-copy');
    await clone.getByRole('button', { name: 'Clone' }).click();
    await page.getByRole('heading', { name: /^Image \d+: act-renamed-copy$/ }).waitFor();
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });
    const cloneId = Number(/images\/(\d+)/.exec(page.url())![1]);
    assert.notEqual(cloneId, id);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    await page.getByRole('link', { name: 'act-renamed', exact: true }).waitFor();
    // oned removes the image once its driver has: the row goes without a reload.
    await page.getByRole('link', { name: 'act-renamed-copy' }).waitFor({ state: 'detached', timeout: 30_000 });
    await context.close();
  });

  test('missing values are refused in the fields and nothing is sent; oned refusing a taken name shows in the page', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await newImagePage(page);
    const calls = countCalls(page);
    await page.getByLabel('Type').selectOption('DATABLOCK');
    await page.getByLabel('Empty disk').check();
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByText('Enter a name').waitFor();
    await page.getByText('Enter the size in MB').waitFor();
    assert.equal(await page.getByLabel('Name').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Upload from this computer').check();
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByText('Choose a file to upload').waitFor();
    assert.equal(calls(), 0, 'a refused form sends nothing');

    // An empty datablock of a size: registered by mkfs.
    await cloud.oned.ok('one.image.allocate', ['NAME = "taken"\nTYPE = "DATABLOCK"\nSIZE = "1"', 1]);
    await page.getByLabel('Name').fill('taken');
    await page.getByLabel('Empty disk').check();
    await page.getByLabel('Size (MB)').fill('2');
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByRole('alert').filter({ hasText: /already taken|NAME is already/i }).waitFor();
    // Kept as typed: a new name is enough.
    await page.getByLabel('Name').fill('blank-disk');
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByRole('heading', { name: /blank-disk$/ }).waitFor();
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('dt:text-is("Type") + dd').textContent(), 'DATABLOCK');

    // A URL the fs driver cannot fetch: the image goes to ERROR and the page shows the driver's words.
    await newImagePage(page);
    await page.getByLabel('Name').fill('from-bad-url');
    await page.getByLabel('Path on the server or URL').check();
    await page.getByLabel('Path or URL').fill('http://images.invalid/disk.img');
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByRole('heading', { name: /from-bad-url$/ }).waitFor();
    await page.locator('.page-head').getByText('ERROR').waitFor({ timeout: 60_000 });
    assert.match((await page.locator('dt:text-is("Error") + dd').textContent()) ?? '', /Cannot download http:\/\/images\.invalid\/disk\.img/);

    // A URL it can: an http server of the test's; the fs driver downloads it and the image is READY.
    const body = Buffer.alloc(3 * 1024 * 1024, 9);
    const web = createServer((req, res) => {
      if (req.url !== '/disk.img') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': body.length }).end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      await newImagePage(page);
      await page.getByLabel('Name').fill('from-url');
      await page.getByLabel('Path on the server or URL').check();
      await page.getByLabel('Path or URL').fill(`http://127.0.0.1:${(web.address() as AddressInfo).port}/disk.img`);
      await page.getByRole('button', { name: 'Create image' }).click();
      const heading = page.getByRole('heading', { name: /^Image \d+: from-url$/ });
      await heading.waitFor();
      await page.locator('.page-head').getByText('READY').waitFor({ timeout: 60_000 });
      const id = Number(/Image (\d+)/.exec((await heading.textContent())!)![1]);
      const xml = String(await cloud.oned.ok('one.image.info', [id]));
      assert.match(xml, /<SIZE>3<\/SIZE>/, 'the size is the download\'s (3 MB)');
      const source = /<SOURCE>(?:<!\[CDATA\[)?([^<\]]+)/.exec(xml)![1]!;
      assert.equal(statSync(source).size, body.length, 'the file in the datastore is the downloaded one');
    } finally {
      web.close();
    }
    await context.close();
  });

  test('datastores: capacity, create, images inside, disable and enable, delete refused while not empty', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Datastores' }).click();
    await page.getByRole('heading', { name: 'Datastores' }).waitFor();
    await page.getByTestId('row-count').getByText('3 items').waitFor();
    await page.locator('tr[data-id="1"]').getByRole('link', { name: 'default' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'datastores');

    await page.getByRole('link', { name: 'Create datastore' }).click();
    await page.getByRole('button', { name: 'Create datastore' }).click();
    await page.getByText('Enter a name').waitFor();
    await page.getByLabel('Name').fill('fast-images');
    await page.getByLabel('Storage driver (DS_MAD)').selectOption('dummy');
    await page.getByLabel('Transfer driver (TM_MAD)').selectOption('dummy');
    await page.getByRole('button', { name: 'Create datastore' }).click();
    await page.getByRole('heading', { name: /^Datastore \d+: fast-images$/ }).waitFor();
    const dsId = Number(/datastores\/(\d+)/.exec(page.url())![1]);
    assert.equal(await page.locator('dt:text-is("Storage driver (DS_MAD)") + dd').textContent(), 'dummy');

    await cloud.oned.ok('one.image.allocate', ['NAME = "in-fast"\nPATH = "/nowhere.img"', dsId]);
    await page.getByRole('tab', { name: 'Images' }).click();
    await page.getByRole('link', { name: 'in-fast' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await axeViolations(page), []);

    // Only system datastores are enabled and disabled (oned's rule): no such button here.
    assert.equal(await page.getByRole('button', { name: 'Disable' }).count(), 0);

    // oned refuses to delete a datastore with images: its words in the dialog.
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('dialog', { name: 'Confirm delete' }).getByRole('alert').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.goto(`${cloud.url}datastores/0`);
    await page.getByRole('heading', { name: 'Datastore 0: system' }).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Confirm disable' }).click();
    await page.locator('.page-head').getByText('DISABLED').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Confirm enable' }).click();
    await page.locator('.page-head').getByText('ON', { exact: true }).waitFor();
    await context.close();
  });

  test('files live in file datastores and on their own page, apart from images', async () => {
    const file = join(dir, 'init.sh');
    writeFileSync(file, '#!/bin/sh\necho hello\n');
    const { context, page } = await cloud.page(ADMIN);
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    await page.getByRole('link', { name: 'Create file' }).click();
    await page.getByLabel('Datastore').locator('option', { hasText: 'files' }).waitFor({ state: 'attached' });
    assert.deepEqual(await page.getByLabel('Type').locator('option').allTextContents(), ['KERNEL', 'RAMDISK', 'CONTEXT']);
    await page.getByLabel('Name').fill('init-script');
    await page.getByLabel('Type').selectOption('CONTEXT');
    await page.getByLabel('Path on the server or URL').check();
    await page.getByLabel('Path or URL').fill(file);
    await page.getByRole('button', { name: 'Create file' }).click();
    await page.getByRole('heading', { name: /^File \d+: init-script$/ }).waitFor();
    await page.locator('.page-head').getByText('READY').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('link', { name: 'init-script' }).waitFor();
    await page.getByRole('link', { name: 'Images', exact: true }).click();
    await page.getByRole('link', { name: 'uploaded-disk' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'init-script' }).count(), 0, 'files are not listed with images');
    await context.close();
  });

  test('on a phone-sized screen the images list and an image page work', async () => {
    // Logged in first (the harness waits for the desktop menu), then the phone's size.
    const { context, page } = await cloud.page(ADMIN);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${cloud.url}images`);
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    await page.getByRole('link', { name: 'uploaded-disk' }).waitFor();
    assert.deepEqual(await tooWide(page), [], 'the list fits');
    await page.getByRole('link', { name: 'uploaded-disk' }).click();
    await page.getByRole('heading', { name: /uploaded-disk$/ }).waitFor();
    await page.getByRole('button', { name: 'Clone' }).waitFor();
    assert.deepEqual(await tooWide(page), [], 'nothing sticks out sideways');
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });
});

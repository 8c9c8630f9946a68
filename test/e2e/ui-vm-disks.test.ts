/**
 * Disks on the VM page and snapshots on the image page, in Chromium as oneadmin, on dummy
 * drivers: a disk resized (a smaller size refused by the form), disk snapshots taken, shown as a
 * tree with the active one marked, reverted while POWEROFF (disabled with the reason while
 * RUNNING), renamed, deleted (not the active one nor one with children), a disk saved as an
 * image from one of its snapshots (oned's refusal of a taken name shown), a volatile disk offering none of it; a
 * persistent image's snapshots reverted, deleted and flattened from its Snapshots tab; axe on
 * the tabs and dialogs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ONEADMIN_PASSWORD } from './harness.js';
import { axeViolations, confirmAction, screenshot, UI_SKIP, UiCloud, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

/** The snapshots of the VM's disk `diskId` (or an image's) as "ID:NAME:PARENT:ACTIVE". */
function snaps(xml: string, diskId?: number): string[] {
  const lists = [...xml.matchAll(/<SNAPSHOTS>([\s\S]*?)<\/SNAPSHOTS>/g)].map((m) => m[1]!);
  const list = diskId === undefined ? lists[0] : lists.find((l) => l.includes(`<DISK_ID>${diskId}</DISK_ID>`));
  if (!list) return [];
  return [...list.matchAll(/<SNAPSHOT>([\s\S]*?)<\/SNAPSHOT>/g)].map((m) => {
    const v = (k: string) => new RegExp(`<${k}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(m[1]!)?.[1] ?? '';
    return [v('ID'), v('NAME'), v('PARENT'), v('ACTIVE')].join(':');
  });
}

/** Opens a DialogButton's dialog, fills it with `fill`, confirms and waits for it to close. */
async function dialogAction(page: Page, label: string, title: string, fill: (d: ReturnType<Page['getByRole']>) => Promise<void>): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).click();
  const d = page.getByRole('dialog', { name: title });
  await fill(d);
  await d.getByRole('button', { name: `Confirm ${label.toLowerCase()}` }).click();
  await d.waitFor({ state: 'hidden' });
}

describe('operations center: VM disks and image snapshots', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let img = -1;
  let pers = -1;
  before(async () => {
    cloud = await UiCloud.start();
    const o = cloud.oned;
    await o.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const ds = Number(await o.ok('one.datastore.allocate', ['NAME = "ui-disks"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]));
    img = Number(await o.ok('one.image.allocate', ['NAME = "ui-os"\nTYPE = DATABLOCK\nSIZE = 100', ds]));
    pers = Number(await o.ok('one.image.allocate', ['NAME = "ui-pers"\nTYPE = DATABLOCK\nSIZE = 200\nPERSISTENT = YES', ds]));
    for (const i of [img, pers]) await until(`image ${i} READY`, async () => /<STATE>1<\/STATE>/.test(String(await o.ok('one.image.info', [i]))));
  });
  after(async () => {
    await cloud?.stop();
  });

  const info = async (id: number) => String(await cloud.oned.ok('one.vm.info', [id]));
  const stateIs = (id: number, state: number, lcm = 0) => until(`VM ${id} in ${state}/${lcm}`, async () => new RegExp(`<STATE>${state}</STATE><LCM_STATE>${lcm}</LCM_STATE>`).test(await info(id)));

  async function poweredOffVm(disks: string): Promise<number> {
    const id = Number(await cloud.oned.ok('one.vm.allocate', [`NAME = "disky"\nCPU = 0.1\nMEMORY = 32\n${disks}`, false]));
    await cloud.oned.ok('one.vm.deploy', [id, 0, false, -1]);
    await stateIs(id, 3, 3);
    await cloud.oned.ok('one.vm.action', ['poweroff', id]);
    await stateIs(id, 8);
    return id;
  }

  test('Storage tab: resize, disk snapshots (take, tree, revert, rename, delete), save as; volatile disks and RUNNING VMs say why not', async () => {
    const id = await poweredOffVm(`DISK = [ IMAGE_ID = ${img} ]\nDISK = [ TYPE = fs, SIZE = 10, FORMAT = raw ]`);
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor();
    await page.getByRole('tab', { name: 'Storage' }).click();
    const disk0 = page.locator('tr[data-disk="0"]');
    await disk0.getByRole('cell', { name: '100 MB', exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    // The volatile disk: no snapshots, no save-as.
    const disk1 = page.locator('tr[data-disk="1"]');
    assert.equal(await disk1.getByRole('button', { name: 'Take a snapshot of disk 1' }).getAttribute('title'), 'A volatile disk has no snapshots');
    assert.ok(await disk1.getByRole('button', { name: 'Save disk 1 as an image' }).isDisabled());

    // Resize: smaller is refused by the form, nothing sent; 1 GB goes through.
    await page.getByRole('button', { name: 'Resize disk 0', exact: true }).click();
    const resize = page.getByRole('dialog', { name: `Resize disk 0 of VM ${id}` });
    await resize.getByLabel('New size').fill('50');
    await resize.getByLabel('Unit').selectOption('MB');
    await resize.getByRole('button', { name: 'Confirm resize disk 0' }).click();
    await resize.getByRole('alert').getByText('A disk only grows: enter more than its 100 MB').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await resize.getByLabel('New size').fill('1');
    await resize.getByLabel('Unit').selectOption('GB');
    await resize.getByRole('button', { name: 'Confirm resize disk 0' }).click();
    await resize.waitFor({ state: 'hidden' });
    await stateIs(id, 8);
    assert.match(await info(id), /<DISK_ID>0<\/DISK_ID>[\s\S]*?<SIZE>1024<\/SIZE>/);
    await disk0.getByRole('cell', { name: '1 GB', exact: true }).waitFor();

    // Two snapshots: the second is the child of the first and the active one.
    for (const name of ['first', 'second']) {
      await dialogAction(page, 'Take a snapshot of disk 0', `Take a snapshot of disk 0 of VM ${id}`, (d) => d.getByLabel('Snapshot name (optional)').fill(name));
      await stateIs(id, 8);
    }
    assert.deepEqual(snaps(await info(id), 0), ['0:first:-1:', '1:second:0:YES']);
    const tree = page.getByRole('region', { name: 'Snapshots of disk 0' });
    await tree.locator('tr[data-disk-snapshot="1"]').getByText('active', { exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    // oned refuses deleting the active one and one with children: so does the page, saying why.
    assert.match(String(await tree.getByRole('button', { name: 'Delete snapshot 1 of disk 0' }).getAttribute('title')), /is the active one/);
    assert.match(String(await tree.getByRole('button', { name: 'Delete snapshot 0 of disk 0' }).getAttribute('title')), /has children \(1\)/);

    await confirmAction(page, 'Revert disk 0 to snapshot 0');
    await stateIs(id, 8);
    assert.deepEqual(snaps(await info(id), 0), ['0:first:-1:YES', '1:second:0:']);
    await tree.locator('tr[data-disk-snapshot="0"]').getByText('active', { exact: true }).waitFor();
    await screenshot(page, 'vm-disks');

    // Rename: an empty name is refused by the form.
    await page.getByRole('button', { name: 'Rename snapshot 1 of disk 0', exact: true }).click();
    const rename = page.getByRole('dialog', { name: `Rename snapshot 1 of disk 0 of VM ${id}` });
    await rename.getByLabel('New name').fill('  ');
    await rename.getByRole('button', { name: 'Confirm rename snapshot 1 of disk 0' }).click();
    await rename.getByRole('alert').getByText('Enter the new name').waitFor();
    await rename.getByLabel('New name').fill('renamed');
    await rename.getByRole('button', { name: 'Confirm rename snapshot 1 of disk 0' }).click();
    await rename.waitFor({ state: 'hidden' });
    await tree.getByRole('cell', { name: /renamed/ }).waitFor();

    await confirmAction(page, 'Delete snapshot 1 of disk 0');
    await stateIs(id, 8);
    assert.deepEqual(snaps(await info(id), 0), ['0:first:-1:YES']);
    await tree.locator('tr[data-disk-snapshot="1"]').waitFor({ state: 'detached' });

    // Save as: a name oned finds taken is refused, and the dialog shows oned's words; then a
    // snapshot's content is saved into a new image.
    await page.getByRole('button', { name: 'Save disk 0 as an image', exact: true }).click();
    const save = page.getByRole('dialog', { name: `Save disk 0 of VM ${id} as a new image` });
    await save.getByRole('button', { name: 'Confirm save disk 0 as an image' }).click();
    await save.getByRole('alert').getByText('Enter a name for the new image').waitFor();
    await save.getByLabel('Image name').fill('ui-os');
    await save.getByLabel('Content').selectOption('0');
    assert.deepEqual(await axeViolations(page), []);
    await save.getByRole('button', { name: 'Confirm save disk 0 as an image' }).click();
    await save.getByRole('alert').getByText(`NAME is already taken by IMAGE ${img}`, { exact: false }).waitFor();
    await save.getByLabel('Image name').fill('saved-from-ui');
    await save.getByRole('button', { name: 'Confirm save disk 0 as an image' }).click();
    await save.waitFor({ state: 'hidden' });
    const link = page.getByRole('status').getByRole('link', { name: /^image \d+$/ });
    const saved = Number((await link.textContent())!.replace('image ', ''));
    await until('the saved image READY', async () => /<NAME>saved-from-ui<\/NAME>[\s\S]*<STATE>1<\/STATE>/.test(String(await cloud.oned.ok('one.image.info', [saved]))));
    await stateIs(id, 8);
    assert.match(String(await cloud.oned.ok('one.image.info', [saved])), new RegExp(`<SAVED_VM_ID>(<!\\[CDATA\\[)?${id}(\\]\\]>)?</SAVED_VM_ID>`));

    // RUNNING: snapshots are taken but not reverted; the page says why.
    await cloud.oned.ok('one.vm.action', ['resume', id]);
    await stateIs(id, 3, 3);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    const revert = tree.getByRole('button', { name: 'Revert disk 0 to snapshot 0' });
    await until('revert disabled', () => revert.isDisabled());
    assert.equal(await revert.getAttribute('title'), 'A disk is reverted to a snapshot only when the VM is POWEROFF or SUSPENDED');
    assert.ok(await page.getByRole('button', { name: 'Take a snapshot of disk 0' }).isEnabled());
    await context.close();
  });

  test('Image page: a persistent image keeps its VM\'s disk snapshots; Snapshots tab reverts, deletes, flattens', async () => {
    const o = cloud.oned;
    const vm = await poweredOffVm(`DISK = [ IMAGE_ID = ${pers} ]`);
    for (const name of ['a', 'b']) {
      await o.ok('one.vm.disksnapshotcreate', [vm, 0, name]);
      await stateIs(vm, 8);
    }
    await o.ok('one.vm.disksnapshotrevert', [vm, 0, 0]);
    await stateIs(vm, 8);
    await o.ok('one.vm.disksnapshotcreate', [vm, 0, 'c']);
    await stateIs(vm, 8);
    await o.ok('one.vm.action', ['terminate-hard', vm]);
    const image = async () => String(await o.ok('one.image.info', [pers]));
    await until('the image READY with its snapshots', async () => /<STATE>1<\/STATE>/.test(await image()) && snaps(await image()).length === 3);
    assert.deepEqual(snaps(await image()), ['0:a:-1:', '1:b:0:', '2:c:0:YES']);

    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}images/${pers}`);
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    const row = (n: number) => page.locator(`tr[data-disk-snapshot="${n}"]`);
    await row(2).getByText('active', { exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    assert.match(String(await row(0).getByRole('button', { name: 'Delete snapshot 0' }).getAttribute('title')), /has children \(1, 2\)/);

    await confirmAction(page, 'Revert to snapshot 1');
    await until('snapshot 1 active', async () => /<STATE>1<\/STATE>/.test(await image()) && snaps(await image()).includes('1:b:0:YES'));
    await row(1).getByText('active', { exact: true }).waitFor();
    await confirmAction(page, 'Delete snapshot 2');
    await until('snapshot 2 gone', async () => /<STATE>1<\/STATE>/.test(await image()) && snaps(await image()).length === 2);
    await row(2).waitFor({ state: 'detached' });
    await confirmAction(page, 'Flatten snapshot 1');
    await until('no snapshots', async () => /<STATE>1<\/STATE>/.test(await image()) && snaps(await image()).length === 0);
    // No snapshots left: no tab.
    await page.getByRole('tab', { name: 'Snapshots' }).waitFor({ state: 'detached' });
    await context.close();
  });
});

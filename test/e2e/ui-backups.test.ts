/**
 * Backups in the operations center, in Chromium as oneadmin, on dummy drivers (a scripted VMM
 * whose BACKUP step can be made slow, a dummy backup datastore): the VM page's Backups tab with
 * "Back up now" disabled with the reason while RUNNING and Cancel disabled unless a backup runs;
 * a backup made from the page listed with a link to its image; a slow backup cancelled from the
 * page leaving no image; a backup image's page listing the increments of an incremental chain
 * and restoring one of them (template and image shown in their lists), oned's refusal of a
 * backup image that is no longer READY shown in the dialog, a new chain started with Reset; a
 * backup datastore created from the datastore form (rsync's required attributes asked for and
 * checked); axe on the tabs and dialogs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ONEADMIN_PASSWORD } from './harness.js';
import { axeViolations, confirmAction, screenshot, UI_SKIP, UiCloud, until } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };
const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-ui-backup-scripts-'));
const CONF = `
VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 10 ]
DATASTORE_MAD = [ EXECUTABLE = "one_datastore", ARGUMENTS = "-t 5 -d dummy,fs,rsync,restic" ]
`;
const BACKUP_REFUSED = 'A VM is backed up only when POWEROFF: backups of a RUNNING VM are not supported, power it off first';

describe('operations center: backups', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  let host = -1;
  let bk = -1;
  before(async () => {
    cloud = await UiCloud.start({ oned: { conf: CONF }, withHost: false });
    const o = cloud.oned;
    await o.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    host = Number(await o.ok('one.host.allocate', ['bk-host', 'dummy', 'scripted', -1]));
    bk = Number(await o.ok('one.datastore.allocate', ['NAME = "ui-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "dummy"', -1]));
  });
  after(async () => {
    await cloud?.stop();
  });

  const info = async (id: number) => String(await cloud.oned.ok('one.vm.info', [id]));
  const stateIs = (id: number, state: number, lcm = 0) => until(`VM ${id} in ${state}/${lcm}`, async () => new RegExp(`<STATE>${state}</STATE><LCM_STATE>${lcm}</LCM_STATE>`).test(await info(id)));
  const backupIds = async (id: number) => {
    const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(await info(id))?.[1] ?? '';
    return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
  };

  async function runningVm(name: string, config = 'BACKUP_CONFIG = [ BACKUP_VOLATILE = "YES" ]'): Promise<number> {
    const id = Number(await cloud.oned.ok('one.vm.allocate', [`NAME = "${name}"\nCPU = 0.1\nMEMORY = 32\nDISK = [ TYPE = "fs", SIZE = 10 ]\nNIC = [ IP = "10.0.0.5", MAC = "02:00:0a:00:00:05" ]\n${config}`, false]));
    await cloud.oned.ok('one.vm.deploy', [id, host, false, -1]);
    await stateIs(id, 3, 3);
    return id;
  }

  test('VM Backups tab: refused while RUNNING, a backup made from the page, a slow one cancelled', async () => {
    writeFileSync(join(SCRIPTS, 'backup'), 'success\n');
    const id = await runningVm('to-back-up');
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByTestId('vm-state').getByText('RUNNING').waitFor();
    await page.getByRole('tab', { name: 'Backups' }).click();
    const backUp = page.getByRole('button', { name: 'Back up now', exact: true });
    const cancel = page.getByRole('button', { name: 'Cancel backup', exact: true });
    assert.ok(await backUp.isDisabled());
    assert.equal(await backUp.getAttribute('title'), BACKUP_REFUSED);
    assert.ok(await cancel.isDisabled());
    assert.equal(await cancel.getAttribute('title'), 'Only a backup in progress (BACKUP_POWEROFF) is cancelled');
    await page.getByText('This VM has no backups.').waitFor();
    // The settings the first backup will take come from the VM's template.
    assert.equal(await page.locator('dt:text-is("Volatile disks") + dd').textContent(), 'backed up');
    assert.equal(await page.locator('dt:text-is("Mode") + dd').textContent(), 'FULL');
    assert.deepEqual(await axeViolations(page), []);

    await cloud.oned.ok('one.vm.action', ['poweroff', id]);
    await stateIs(id, 8);
    await until('back up enabled', () => backUp.isEnabled());
    assert.ok(await cancel.isDisabled(), 'nothing to cancel in POWEROFF');

    await backUp.click();
    const dialog = page.getByRole('dialog', { name: `Back up VM ${id}` });
    const select = dialog.getByLabel('Backup datastore');
    await until('the backup datastore offered', async () => (await select.inputValue()) === String(bk));
    assert.equal(await select.locator('option').count(), 1, 'only BACKUP_DS datastores are offered');
    await screenshot(page, 'vm-backup');
    assert.deepEqual(await axeViolations(page), []);
    await dialog.getByRole('button', { name: 'Confirm back up now' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await until('a backup image', async () => (await backupIds(id)).length === 1);
    const [img] = await backupIds(id);
    await stateIs(id, 8);
    const row = page.locator(`tr[data-backup="${img}"]`);
    await row.getByRole('link', { name: String(img) }).waitFor();
    await row.getByRole('cell', { name: 'ui-backups' }).waitFor();
    await row.getByRole('cell', { name: 'FULL' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    // A slow backup: BACKUP_POWEROFF enables Cancel; cancelled, the VM is POWEROFF with no new image.
    writeFileSync(join(SCRIPTS, 'backup'), 'success 4\n');
    await backUp.click();
    await dialog.getByRole('button', { name: 'Confirm back up now' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('vm-state').getByText('BACKUP_POWEROFF').waitFor();
    await until('cancel enabled', () => cancel.isEnabled());
    assert.ok(await backUp.isDisabled());
    await confirmAction(page, 'Cancel backup');
    await page.getByTestId('vm-state').getByText('POWEROFF').waitFor();
    await until('cancel disabled again', () => cancel.isDisabled());
    await new Promise((r) => setTimeout(r, 4500));
    assert.deepEqual(await backupIds(id), [img]);
    await context.close();
  });

  test('backup image page: increments, restore of one, oned refusing an image no longer READY', async () => {
    writeFileSync(join(SCRIPTS, 'backup'), 'success\n');
    const o = cloud.oned;
    const id = await runningVm('incremental', 'BACKUP_CONFIG = [ BACKUP_VOLATILE = "YES", MODE = "INCREMENT" ]');
    await o.ok('one.vm.action', ['poweroff', id]);
    await stateIs(id, 8);
    for (let i = 0; i < 2; i++) {
      await o.ok('one.vm.backup', [id, bk, false]);
      await until(`increment ${i}`, async () => new RegExp(`<LAST_INCREMENT_ID>${i}<`).test(await info(id)) && /<STATE>8<\/STATE>/.test(await info(id)));
    }
    const [img] = await backupIds(id);

    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByRole('tab', { name: 'Backups' }).click();
    await page.locator(`tr[data-backup="${img}"]`).getByRole('cell', { name: '0 FULL, 1 INCREMENT' }).waitFor();
    assert.equal(await page.locator('dt:text-is("Mode") + dd').textContent(), 'INCREMENT');
    await page.locator('dt:text-is("Current chain") + dd').getByRole('link', { name: `image ${img}` }).waitFor();
    await page.locator(`tr[data-backup="${img}"]`).getByRole('link', { name: String(img) }).click();

    await page.getByRole('heading', { name: new RegExp(`^Image ${img}:`) }).waitFor();
    await page.getByRole('tab', { name: 'Backup' }).click();
    await page.locator('tr[data-increment="0"]').getByRole('cell', { name: 'FULL', exact: true }).waitFor();
    await page.locator('tr[data-increment="1"]').getByRole('cell', { name: 'INCREMENT', exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    const restore = page.getByRole('button', { name: 'Restore', exact: true });
    const dialog = page.getByRole('dialog', { name: `Restore backup image ${img}` });
    const confirm = dialog.getByRole('button', { name: 'Confirm restore' });
    await restore.click();
    await until('the image datastore offered', async () => (await dialog.getByLabel('Image datastore').inputValue()) === '1');
    await dialog.getByLabel('Name').fill('ui-restored');
    await dialog.getByLabel('Increment').selectOption('0');
    await dialog.getByLabel(/No NIC/).check();
    await screenshot(page, 'image-restore');
    assert.deepEqual(await axeViolations(page), []);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    const status = page.getByRole('status').filter({ hasText: 'Restored:' });
    const tlink = status.getByRole('link', { name: /^template \d+$/ });
    const tid = Number((await tlink.textContent())!.split(' ')[1]);
    const iid = Number((await status.getByRole('link', { name: /^image \d+$/ }).textContent())!.split(' ')[1]);
    const t = String(await o.ok('one.template.info', [tid]));
    assert.match(t, /<NAME>(<!\[CDATA\[)?ui-restored(\]\]>)?<\/NAME>/);
    assert.doesNotMatch(t, /<NIC>/, 'NO_NIC: no network interfaces');
    assert.match(t, new RegExp(`<IMAGE_ID>(<!\\[CDATA\\[)?${iid}(\\]\\]>)?</IMAGE_ID>`));

    // oned's refusal: the backup image disabled meanwhile.
    await restore.click();
    await o.ok('one.image.enable', [img, false]);
    await confirm.click();
    await dialog.getByRole('alert').getByText(`Backup image ${img} is not READY.`).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await until('restore disabled with the reason', async () => (await restore.isDisabled()) && (await restore.getAttribute('title')) === 'Only a READY backup image is restored');

    await tlink.click();
    await page.getByRole('heading', { name: new RegExp(`ui-restored`) }).waitFor();
    await page.goto(`${cloud.url}templates`);
    await page.getByRole('link', { name: 'ui-restored', exact: true }).waitFor();
    await page.goto(`${cloud.url}images`);
    await page.getByRole('link', { name: 'ui-restored-disk-0', exact: true }).waitFor();

    // Reset from the VM page: a new chain, a second backup image starting at a FULL increment.
    await page.goto(`${cloud.url}vms/${id}`);
    await page.getByRole('tab', { name: 'Backups' }).click();
    await page.getByRole('button', { name: 'Back up now', exact: true }).click();
    const backup = page.getByRole('dialog', { name: `Back up VM ${id}` });
    await backup.getByLabel(/Reset/).check();
    await backup.getByRole('button', { name: 'Confirm back up now' }).click();
    await backup.waitFor({ state: 'hidden' });
    await until('a second chain', async () => (await backupIds(id)).length === 2);
    const [, chain2] = await backupIds(id);
    assert.notEqual(chain2, img);
    await page.locator(`tr[data-backup="${chain2}"]`).getByRole('cell', { name: '0 FULL', exact: true }).waitFor();
    await page.locator('dt:text-is("Current chain") + dd').getByRole('link', { name: `image ${chain2}` }).waitFor();
    await context.close();
  });

  test('the datastore form creates a BACKUP_DS: rsync asks for its server and user', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}datastores/new`);
    await page.getByLabel('Name').fill('ui-rsync');
    await page.getByLabel('Type').selectOption('BACKUP_DS');
    assert.equal(await page.getByLabel('Storage driver (DS_MAD)').inputValue(), 'rsync');
    assert.equal(await page.getByLabel('Transfer driver (TM_MAD)').count(), 0, 'a backup datastore has no transfer driver');
    await page.getByRole('button', { name: 'Create datastore' }).click();
    await page.getByText('Enter the backup server').waitFor();
    await page.getByText('Enter the ssh user on it').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Backup server (RSYNC_HOST)').fill('backup.example');
    await page.getByLabel('SSH user on it (RSYNC_USER)').fill('oneadmin');
    await page.getByLabel('Directory on it (RSYNC_DIR)').fill('/srv/backups');
    await page.getByRole('button', { name: 'Create datastore' }).click();
    await page.getByRole('heading', { name: /^Datastore \d+: ui-rsync$/ }).waitFor();
    const id = Number(/datastores\/(\d+)/.exec(page.url())![1]);
    const ds = String(await cloud.oned.ok('one.datastore.info', [id]));
    assert.match(ds, /<TYPE>3<\/TYPE>/);
    for (const [k, v] of [['DS_MAD', 'rsync'], ['RSYNC_HOST', 'backup.example'], ['RSYNC_USER', 'oneadmin'], ['RSYNC_DIR', '/srv/backups']]) assert.match(ds, new RegExp(`<${k}>(<!\\[CDATA\\[)?${v}(\\]\\]>)?</${k}>`));
    await page.locator('dt:text-is("Type") + dd').getByText('BACKUP').waitFor();
    await context.close();
  });
});

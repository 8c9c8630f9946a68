/**
 * The host form for hybrid hosts in a real browser: choosing the `ec2` driver asks for the EC2
 * account (credentials, region, capacity, a default AMI), refuses a form without them, and the
 * host made has them in its template, the secret stored encrypted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { ONEADMIN_PASSWORD } from './harness.js';
import { UiCloud, UI_SKIP, axeViolations } from './ui-harness.js';

const ADMIN = { user: 'oneadmin', password: ONEADMIN_PASSWORD };

describe('operations center: a hybrid (ec2) host', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start({ oned: { conf: 'HOST_MONITORING_INTERVAL = 0' } });
  });
  after(async () => {
    await cloud?.stop();
  });

  const template = async (id: number, decrypt: boolean): Promise<XmlNode> =>
    parseXmlTree(String(await cloud.oned.ok('one.host.info', [id, decrypt]))).children.find((c) => c.name === 'TEMPLATE')!;

  test('the ec2 driver asks for the account; the host gets it, the secret encrypted', async () => {
    const { context, page } = await cloud.page(ADMIN);
    await page.goto(`${cloud.url}hosts/new`);
    await page.getByLabel('Host name').fill('aws-ui');
    await page.getByLabel('Virtualization driver (VM_MAD)').locator('option', { hasText: /^ec2/ }).waitFor({ state: 'attached' });
    await page.getByLabel('Virtualization driver (VM_MAD)').selectOption('ec2');
    assert.equal(await page.getByLabel('Monitoring driver (IM_MAD)').inputValue(), 'ec2');
    // Without the account: the fields say what is missing, no host is made.
    await page.getByRole('button', { name: 'Create host' }).click();
    await page.getByText('Enter the access key id').waitFor();
    await page.getByText('Enter the secret access key').waitFor();
    await page.getByLabel('Capacity').fill('m1.small');
    await page.getByText('TYPE=COUNT pairs').waitFor();
    assert.doesNotMatch(String(await cloud.oned.ok('one.hostpool.info', [])), /aws-ui/);

    await page.getByLabel('Access key ID').fill('AKIAUITEST');
    await page.getByLabel('Secret access key').fill('ui-secret "value"');
    await page.getByLabel('Region').fill('eu-west-1');
    await page.getByLabel('Capacity').fill('m1_small=2, T2_MICRO=4');
    await page.getByLabel('Default AMI').fill('ami-12345678');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Create host' }).click();
    await page.getByRole('heading', { name: /^Host \d+: aws-ui$/ }).waitFor();
    const id = Number(/\/hosts\/(\d+)/.exec(page.url())![1]);

    const clear = await template(id, true);
    assert.equal(childText(clear, 'EC2_ACCESS'), 'AKIAUITEST');
    assert.equal(childText(clear, 'EC2_SECRET'), 'ui-secret "value"');
    assert.equal(childText(clear, 'REGION_NAME'), 'eu-west-1');
    const capacity = clear.children.find((c) => c.name === 'CAPACITY')!;
    assert.deepEqual([childText(capacity, 'M1_SMALL'), childText(capacity, 'T2_MICRO')], ['2', '4']);
    assert.equal(childText(clear.children.find((c) => c.name === 'PUBLIC_CLOUD_DEFAULTS')!, 'AMI'), 'ami-12345678');
    const stored = await template(id, false);
    assert.notEqual(childText(stored, 'EC2_SECRET'), 'ui-secret "value"');
    assert.ok(childText(stored, 'EC2_SECRET').length > 0);
    await context.close();
  });
});

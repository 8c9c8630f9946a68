/**
 * `onevm disk-resize` and `onevm disk-saveas` as an admin uses them against a real oned (dummy
 * drivers, SQLite): sizes with units (10G, 512M) or in MB, the new image's ID printed, --type;
 * bad sizes and oned's refusals give one line and exit 255.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import { Oned } from './harness.js';
import { okId, okXml, sleep, TEST_DRIVERS } from './api-helpers.js';

async function vmXml(oned: Oned, id: number): Promise<XmlNode> {
  return parseXmlTree(await cliOk(oned, 'onevm', ['show', String(id), '--xml']));
}

async function until(oned: Oned, id: number, state: number, lcm: number): Promise<XmlNode> {
  const end = Date.now() + 10000;
  for (;;) {
    const v = await vmXml(oned, id);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return v;
    if (Date.now() > end) throw new Error(`VM ${id} did not reach ${state}/${lcm}`);
    await sleep(50);
  }
}

const diskSize = (v: XmlNode, id: number) => childText(v.children.find((c) => c.name === 'TEMPLATE')!.children.find((d) => d.name === 'DISK' && childText(d, 'DISK_ID') === String(id))!, 'SIZE');

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, JSON.stringify(r.stderr));
  assert.match(r.stderr, message);
}

describe('onevm disk-resize and disk-saveas on sqlite', () => {
  let oned: Oned;
  let vm = -1;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const ds = await okId(oned, 'one.datastore.allocate', ['NAME = "cli-img"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const img = await okId(oned, 'one.image.allocate', ['NAME = "cli-os"\nPATH = "/nowhere/os.img"\nTYPE = "OS"', ds]);
    while (childInt(await okXml(oned, 'one.image.info', [img]), 'STATE') !== 1) await sleep(25);
    await okId(oned, 'one.host.allocate', ['cli-node', 'dummy', 'dummy', -1]);
    vm = await okId(oned, 'one.vm.allocate', [`NAME = "disky"\nCPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${img} ]\nDISK = [ TYPE = fs, SIZE = 100 ]`]);
    await cliOk(oned, 'onevm', ['deploy', 'disky', 'cli-node']);
    await until(oned, vm, 3, 3);
  });
  after(() => oned?.stop());

  test('disk-resize by VM name with a unit or in MB', async () => {
    assert.equal(await cliOk(oned, 'onevm', ['disk-resize', 'disky', '1', '512M']), '');
    assert.equal(diskSize(await until(oned, vm, 3, 3), 1), '512');
    await cliOk(oned, 'onevm', ['disk-resize', String(vm), '0', '2G']);
    assert.equal(diskSize(await until(oned, vm, 3, 3), 0), '2048');
    await cliOk(oned, 'onevm', ['disk-resize', String(vm), '1', '600']);
    assert.equal(diskSize(await until(oned, vm, 3, 3), 1), '600');
  });

  test('disk-resize refusals: a size that is no size, a smaller one, an unknown disk', async () => {
    oneLineError(await cli(oned, 'onevm', ['disk-resize', 'disky', '1', '10X']), /SIZE must be a size such as 2048 \(MB\), 512M, 10G or 1T, not "10X"/);
    oneLineError(await cli(oned, 'onevm', ['disk-resize', 'disky', '1', '0.3M']), /whole positive number of MB/);
    oneLineError(await cli(oned, 'onevm', ['disk-resize', 'disky', '1', '100']), /New disk size has to be greater than current one/);
    oneLineError(await cli(oned, 'onevm', ['disk-resize', 'disky', '9', '1G']), /VM disk does not exist/);
    assert.equal(diskSize(await vmXml(oned, vm), 1), '600');
  });

  test('disk-saveas prints the new image\'s ID; --type; a volatile disk refused', async () => {
    const out = await cliOk(oned, 'onevm', ['disk-saveas', 'disky', '0', 'cli-copy', '--type', 'datablock']);
    const id = Number(/^Image ID: (\d+)$/.exec(out.trim())![1]);
    const img = await okXml(oned, 'one.image.info', [id]);
    assert.equal(childText(img, 'NAME'), 'cli-copy');
    assert.equal(childText(img, 'TYPE'), '2');
    await until(oned, vm, 3, 3);
    oneLineError(await cli(oned, 'onevm', ['disk-saveas', 'disky', '1', 'vol-copy']), /it is volatile/);
    oneLineError(await cli(oned, 'onevm', ['disk-saveas', 'disky', '0', 'snap-copy', '--snapshot', 'x']), /--snapshot must be a whole number/);
  });
});

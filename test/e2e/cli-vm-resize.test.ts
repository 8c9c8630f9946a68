/**
 * `onevm resize` and `onevm updateconf` as an admin uses them against a real oned (dummy
 * drivers, SQLite): a VM on hold and a running one resized by name with --cpu / --vcpu /
 * --memory (units) or --file; a configuration replaced from a file, merged with --append, or
 * edited in $EDITOR; bad options and oned's refusals give one line and exit 255.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import { Oned } from './harness.js';
import { okId, sleep, TEST_DRIVERS } from './api-helpers.js';

async function sizeOf(oned: Oned, id: number): Promise<[string, string, string, number]> {
  const vm = parseXmlTree(await cliOk(oned, 'onevm', ['show', String(id), '--xml']));
  const t = vm.children.find((c) => c.name === 'TEMPLATE')!;
  return [childText(t, 'CPU'), childText(t, 'VCPU'), childText(t, 'MEMORY'), childInt(vm, 'LCM_STATE')];
}

async function untilRunning(oned: Oned, id: number): Promise<void> {
  const end = Date.now() + 10000;
  while ((await sizeOf(oned, id))[3] !== 3) {
    if (Date.now() > end) throw new Error(`VM ${id} is not RUNNING`);
    await sleep(50);
  }
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, JSON.stringify(r.stderr));
  assert.match(r.stderr, message);
}

describe('onevm resize on sqlite', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: `${TEST_DRIVERS}VM_MAD = [ NAME = "hot", EXECUTABLE = "one_vmm_dummy", LIVE_RESIZE = "yes" ]\n` });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    await okId(oned, 'one.host.allocate', ['node-hot', 'dummy', 'hot', -1]);
  });
  after(() => oned?.stop());

  test('a VM on hold by name: --cpu, --vcpu, --memory with a unit; then from a --file', async () => {
    const id = Number(/ID: (\d+)/.exec(await cliOk(oned, 'onevm', ['create', '--name', 'small', '--cpu', '1', '--memory', '128', '--hold']))![1]);
    assert.equal(await cliOk(oned, 'onevm', ['resize', 'small', '--cpu', '0.5', '--vcpu', '2', '--memory', '1G']), '');
    assert.deepEqual(await sizeOf(oned, id), ['0.5', '2', '1024', 0]);
    const file = join(oned.location, 'size.tmpl');
    writeFileSync(file, 'MEMORY = 512\n');
    await cliOk(oned, 'onevm', ['resize', String(id), '--file', file]);
    assert.deepEqual(await sizeOf(oned, id), ['0.5', '2', '512', 0]);
  });

  test('a running VM with VCPU_MAX / MEMORY_MAX resized hot; one without them refused by oned', async () => {
    const id = await okId(oned, 'one.vm.allocate', ['NAME = "hotvm"\nCPU = 1\nVCPU = 1\nVCPU_MAX = 4\nMEMORY = 128\nMEMORY_MAX = 512']);
    await cliOk(oned, 'onevm', ['deploy', 'hotvm', 'node-hot']);
    await untilRunning(oned, id);
    // The host reports no capacity (monitoring is off): --enforce refuses, oneadmin without it may.
    oneLineError(await cli(oned, 'onevm', ['resize', 'hotvm', '--vcpu', '4', '--memory', '512M', '--enforce']), /host \d+ does not have enough capacity/);
    await cliOk(oned, 'onevm', ['resize', 'hotvm', '--vcpu', '4', '--memory', '512M']);
    await untilRunning(oned, id);
    assert.deepEqual(await sizeOf(oned, id), ['1', '4', '512', 3]);
    oneLineError(await cli(oned, 'onevm', ['resize', 'hotvm', '--vcpu', '5']), /Cannot resize VCPU to 5: the VM's VCPU_MAX is 4/);
    const plain = await okId(oned, 'one.vm.allocate', ['NAME = "plain"\nCPU = 1\nMEMORY = 128']);
    await cliOk(oned, 'onevm', ['deploy', 'plain', 'node-hot']);
    await untilRunning(oned, plain);
    oneLineError(await cli(oned, 'onevm', ['resize', 'plain', '--memory', '256']), /without MEMORY_MAX/);
  });

  test('bad input: nothing to resize, a bad --vcpu, --cpu or --memory, an unknown VM', async () => {
    oneLineError(await cli(oned, 'onevm', ['resize', 'small']), /Say what to resize: --cpu, --vcpu, --memory or --file FILE/);
    oneLineError(await cli(oned, 'onevm', ['resize', 'small', '--vcpu', '1.5']), /--vcpu must be a whole positive number, not "1.5"/);
    oneLineError(await cli(oned, 'onevm', ['resize', 'small', '--cpu', '-1']), /--cpu must be a positive number/);
    oneLineError(await cli(oned, 'onevm', ['resize', 'small', '--memory', 'lots']), /--memory must be a size in MB/);
    oneLineError(await cli(oned, 'onevm', ['resize', 'nosuchvm', '--cpu', '1']), /nosuchvm/);
  });

  test('onevm updateconf: a FILE replaces, --append merges, $EDITOR starts from the current configuration', async () => {
    const id = await okId(oned, 'one.vm.allocate', ['NAME = "conf"\nCPU = 1\nMEMORY = 128\nGRAPHICS = [ TYPE = VNC ]\nOS = [ ARCH = x86_64 ]', true]);
    const section = async (name: string) => {
      const vm = parseXmlTree(await cliOk(oned, 'onevm', ['show', 'conf', '--xml']));
      const v = vm.children.find((c) => c.name === 'TEMPLATE')!.children.find((c) => c.name === name);
      return v && Object.fromEntries(v.children.filter((c) => c.name !== 'PORT').map((c) => [c.name, c.text]));
    };
    const file = join(oned.location, 'conf.tmpl');
    writeFileSync(file, 'GRAPHICS = [ TYPE = SPICE ]\nOS = [ BOOT = disk0 ]\n');
    assert.equal(await cliOk(oned, 'onevm', ['updateconf', 'conf', file]), '');
    assert.deepEqual([await section('GRAPHICS'), await section('OS')], [{ TYPE: 'SPICE' }, { BOOT: 'disk0' }]);
    writeFileSync(file, 'GRAPHICS = [ LISTEN = "0.0.0.0" ]\n');
    await cliOk(oned, 'onevm', ['updateconf', String(id), file, '--append']);
    assert.deepEqual([await section('GRAPHICS'), await section('OS')], [{ TYPE: 'SPICE', LISTEN: '0.0.0.0' }, { BOOT: 'disk0' }]);
    const editor = join(oned.location, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\ngrep -q "CPU=" "$1" && exit 3\nsed -i \'s/SPICE/VNC/\' "$1"\n');
    chmodSync(editor, 0o755);
    const r = await cli(oned, 'onevm', ['updateconf', 'conf'], { EDITOR: editor });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await section('GRAPHICS'), { TYPE: 'VNC', LISTEN: '0.0.0.0' }, 'the editor got the configuration sections only (no CPU) and its change was sent');
    assert.deepEqual(await section('OS'), { BOOT: 'disk0' });
    await cliOk(oned, 'onevm', ['terminate', 'conf']);
    await sleep(100);
    oneLineError(await cli(oned, 'onevm', ['updateconf', String(id), file]), /configuration cannot be updated in state DONE|Error getting/);
  });
});

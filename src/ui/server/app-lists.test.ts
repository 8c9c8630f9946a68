/**
 * The browser app keeps its own copies of two oned lists (it is bundled apart from oned's code):
 * the actions a scheduled action may take and the keys one.vm.updateconf changes. They must not
 * drift from oned's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { UPDATECONF_ATTRS } from '../../rpc/methods/vm-updateconf.js';
import { SCHEDULABLE_ACTIONS } from '../../sa/index.js';

const VMS = resolve(import.meta.dirname, '../../../../src/ui/app/src/pages/vms');
const strings = (text: string) => [...text.matchAll(/'([^']*)'/g)].map((m) => m[1]!);

test("the Sched actions tab offers exactly the actions oned schedules", () => {
  const source = readFileSync(resolve(VMS, 'sched-actions.ts'), 'utf8');
  const list = /SCHED_ACTIONS = \[([^\]]*)\] as const/.exec(source)?.[1];
  assert.ok(list, 'SCHED_ACTIONS found in sched-actions.ts');
  assert.deepEqual(strings(list).sort(), [...SCHEDULABLE_ACTIONS].sort());
});

test("the Update configuration dialog knows updateconf's sections and keys as oned has them", () => {
  const source = readFileSync(resolve(VMS, 'updateconf.ts'), 'utf8');
  const block = /UPDATECONF_KEYS[^=]*= \{([\s\S]*?)\n\};/.exec(source)?.[1];
  assert.ok(block, 'UPDATECONF_KEYS found in updateconf.ts');
  const app = new Map([...block.matchAll(/^\s*(\w+): \[([^\]]*)\],?$/gm)].map((m) => [m[1]!, strings(m[2]!)]));
  assert.deepEqual(app, new Map([...UPDATECONF_ATTRS].map(([k, v]) => [k, [...v]])));
});

test("the datastore form's required backup datastore attributes are oned.conf's REQUIRED_ATTRS of rsync and restic", () => {
  const source = readFileSync(resolve(VMS, '../storage/backup-ds.ts'), 'utf8');
  const conf = readFileSync(resolve(VMS, '../../../../../../share/etc/oned.conf'), 'utf8');
  for (const mad of ['rsync', 'restic']) {
    const block = new RegExp(`^  ${mad}: \\[([\\s\\S]*?)^  \\],`, 'm').exec(source)?.[1];
    assert.ok(block, `${mad} found in backup-ds.ts`);
    const required = [...block.matchAll(/key: '(\w+)'[^}]*required: true/g)].map((m) => m[1]!);
    const onedConf = new RegExp(`DS_MAD_CONF = \\[ NAME = "${mad}", REQUIRED_ATTRS = "([^"]*)"`).exec(conf)?.[1];
    assert.ok(onedConf, `${mad} in oned.conf`);
    assert.deepEqual(required, onedConf.split(','));
  }
});

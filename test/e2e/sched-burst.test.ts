/**
 * The burst policy end to end: oned starts mm_sched (striping, which would spread VMs to the
 * biggest, emptiest host), two small local hosts and one big host that looks hybrid through
 * PUBLIC_CLOUD = "YES" (dummy drivers: the ec2 and one drivers are not needed to tell it apart).
 * VMs fill the local hosts first; the next one bursts and says so in SCHED_MESSAGE; one with
 * SCHED_BURST = "NEVER" stays pending and says why. One backend (SQLite): the scheduler is an
 * API client.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { all, okId, okXml, placedOn, sleep, userAttr, vmUntil } from './api-helpers.js';

const CONF = `HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "small", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 200 -m 8192" ]
IM_MAD = [ NAME = "big", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 6400 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
SCHEDULER = [ EXECUTABLE = "mm_sched" ]
`;
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 1\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 1 ]\n';

let oned: Oned;
const local: number[] = [];
let cloud = -1;

before(async () => {
  oned = await Oned.start({ backend: 'sqlite', conf: CONF, schedConf: SCHED });
  await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  for (const name of ['rack-a', 'rack-b']) local.push(await okId(oned, 'one.host.allocate', [name, 'small', 'dummy', -1]));
  cloud = await okId(oned, 'one.host.allocate', ['aws-eu', 'big', 'dummy', -1]);
  await okId(oned, 'one.host.update', [cloud, 'PUBLIC_CLOUD = "YES"', 1]);
  const end = Date.now() + 20_000;
  while (all(await okXml(oned, 'one.hostpool.info', []), 'HOST').some((h) => childInt(h, 'STATE') !== 2)) {
    if (Date.now() > end) throw new Error('hosts not monitored in 20 s');
    await sleep(100);
  }
});
after(() => oned?.stop());

const newVm = (extra = '') => okId(oned, 'one.vm.allocate', [`CPU = 1\nMEMORY = 128\n${extra}`, false]);

describe('the scheduler bursts only when no local host fits', () => {
  test('local hosts fill first, then the VM bursts to the hybrid host and says why', async () => {
    // Two CPUs per local host; striping alone would pick the big, empty cloud host.
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await newVm();
      ids.push(id);
      assert.ok(local.includes(await placedOn(oned, id)), `VM ${id} stays local while a local host fits`);
    }
    const burst = await newVm();
    assert.equal(await placedOn(oned, burst), cloud);
    // The scheduler writes the message right after the deploy.
    const v = await vmUntil(oned, burst, 'the burst message', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.match(userAttr(v, 'SCHED_MESSAGE'), /^Burst to hybrid host aws-eu \(\d+\): no local host could take it \(of 3 hosts: 2 lack CPU\)$/);
  });

  test('SCHED_BURST = "NEVER" keeps a VM pending while the local hosts are full, and says why', async () => {
    const id = await newVm('SCHED_BURST = "NEVER"');
    const v = await vmUntil(oned, id, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.equal(childInt(v, 'STATE'), 1);
    assert.equal(userAttr(v, 'SCHED_MESSAGE'), 'Cannot dispatch VM: of 3 hosts: 1 hybrid, and the VM does not burst (SCHED_BURST = NEVER), 2 lack CPU');
  });
});

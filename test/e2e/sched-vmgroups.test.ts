/**
 * VM groups obeyed by the scheduler end to end: oned starts mm_sched (packing policy, so that
 * only the rules spread VMs), three dummy hosts. Two anti-affined roles end on different hosts,
 * two affined roles together even when the VMs' own rank would spread them, a role with POLICY
 * ANTI_AFFINED takes one host each, HOST_AFFINED picks the host, and a rule no host can meet
 * leaves the VM PENDING with a SCHED_MESSAGE naming the group, role and rule. One backend
 * (SQLite): the scheduler is an API client.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { all, okId, okXml, placedOn, sleep, userAttr, vmUntil } from './api-helpers.js';

const CONF = `HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "big", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 800 -m 8192" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
SCHEDULER = [ EXECUTABLE = "mm_sched" ]
`;
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n';

let oned: Oned;
const hosts: number[] = [];

before(async () => {
  oned = await Oned.start({ backend: 'sqlite', conf: CONF, schedConf: SCHED });
  await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  for (const name of ['ha', 'hb', 'hc']) hosts.push(await okId(oned, 'one.host.allocate', [name, 'big', 'dummy', -1]));
  const end = Date.now() + 20_000;
  while (all(await okXml(oned, 'one.hostpool.info', []), 'HOST').some((h) => childInt(h, 'STATE') !== 2)) {
    if (Date.now() > end) throw new Error('hosts not monitored in 20 s');
    await sleep(100);
  }
});
after(() => oned?.stop());

const until = (id: number, what: string, check: (v: XmlNode) => boolean, seconds = 30) => vmUntil(oned, id, what, check, seconds);


/** Allocates the group, then one VM per role name given (in order); their ids. */
async function groupWithVms(template: string, roles: string[], extra = ''): Promise<number[]> {
  const gid = await okId(oned, 'one.vmgroup.allocate', [template]);
  const ids: number[] = [];
  for (const role of roles) ids.push(await okId(oned, 'one.vm.allocate', [`CPU = 1\nMEMORY = 128\n${extra}VMGROUP = [ VMGROUP_ID = ${gid}, ROLE = "${role}" ]`, false]));
  return ids;
}

describe('the scheduler obeys VM groups', () => {
  test('two anti-affined roles go to different hosts (packing alone would stack them)', async () => {
    const [a, b] = await groupWithVms('NAME = "anti"\nROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nANTI_AFFINED = "a, b"', ['a', 'b']);
    assert.notEqual(await placedOn(oned, a!), await placedOn(oned, b!));
  });

  test('two affined roles share a host (their own rank would spread them)', async () => {
    const [c, d] = await groupWithVms('NAME = "aff"\nROLE = [ NAME = "c" ]\nROLE = [ NAME = "d" ]\nAFFINED = "c, d"', ['c', 'd'], 'SCHED_RANK = "- RUNNING_VMS"\n');
    assert.equal(await placedOn(oned, c!), await placedOn(oned, d!));
  });

  test('POLICY ANTI_AFFINED: one VM of the role per host; the fourth stays PENDING and says why', async () => {
    const ids = await groupWithVms('NAME = "spread"\nROLE = [ NAME = "web", POLICY = "ANTI_AFFINED" ]', ['web', 'web', 'web', 'web']);
    const placed = new Set<number>();
    for (const id of ids.slice(0, 3)) placed.add(await placedOn(oned, id));
    assert.equal(placed.size, 3);
    const last = await until(ids[3]!, 'a SCHED_MESSAGE', (v) => userAttr(v, 'SCHED_MESSAGE') !== '');
    assert.equal(childInt(last, 'STATE'), 1);
    assert.match(userAttr(last, 'SCHED_MESSAGE'), /3 break VM group rules\. VM group spread \(\d+\), role web: POLICY ANTI_AFFINED/);
  });

  test('HOST_AFFINED places the VM there; a rule no host meets leaves it PENDING naming the rule', async () => {
    const hc = hosts[2]!;
    const [x, y] = await groupWithVms(`NAME = "pinned"\nROLE = [ NAME = "x", HOST_AFFINED = "${hc}" ]\nROLE = [ NAME = "y", HOST_ANTI_AFFINED = "${hc}" ]\nAFFINED = "x, y"`, ['x']);
    assert.equal(await placedOn(oned, x!), hc);
    assert.equal(y, undefined);
    const gid = childInt(all(await okXml(oned, 'one.vmgrouppool.info', [-2, -1, -1]), 'VM_GROUP').find((g) => childText(g, 'NAME') === 'pinned')!, 'ID');
    const yid = await okId(oned, 'one.vm.allocate', [`CPU = 1\nMEMORY = 128\nVMGROUP = [ VMGROUP_ID = ${gid}, ROLE = "y" ]`, false]);
    const v = await until(yid, 'a SCHED_MESSAGE', (vm) => userAttr(vm, 'SCHED_MESSAGE') !== '');
    assert.equal(childInt(v, 'STATE'), 1);
    const msg = userAttr(v, 'SCHED_MESSAGE');
    assert.match(msg, /VM group pinned \(\d+\), role y: HOST_ANTI_AFFINED excludes hosts/);
    assert.match(msg, /VM group pinned \(\d+\), role y: AFFINED = "x, y", role x runs on host/);
  });
});

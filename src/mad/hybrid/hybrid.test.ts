/**
 * The hybrid driver base on an in-memory remote cloud (the real ones, EC2 through econe-server
 * and a second oned, are in test/e2e/hybrid-burst.test.ts): action data, PUBLIC_CLOUD sections,
 * poll texts, deploys that take over their tagged instance, terminations confirmed or failed
 * with the reason, the IM's capacity report and its ending of orphaned instances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../../common/template/index.js';
import type { Request } from '../protocol.js';
import type { ActionContext } from '../server/driver-server.js';
import { HybridDriver } from './actions.js';
import { pollText, type HostCapacity, type HybridCloud, type RemoteInstance, type RemoteState } from './cloud.js';
import type { HostSource, HybridHost } from './host-lookup.js';
import { publicCloudFor, vmOfActionData, type HybridVm, type Settings } from './settings.js';

function actionData(o: { id?: number; lcm?: number; deployId?: string; hid?: number; extra?: string } = {}): string {
  const xml =
    `<VMM_DRIVER_ACTION_DATA><HOST>aws</HOST><DEPLOY_ID>${o.deployId ?? ''}</DEPLOY_ID><VM><ID>${o.id ?? 7}</ID><NAME>web</NAME><LCM_STATE>${o.lcm ?? 3}</LCM_STATE>` +
    `<DEPLOY_ID>${o.deployId ?? ''}</DEPLOY_ID><TEMPLATE><CPU>0.5</CPU><MEMORY>512</MEMORY>${o.extra ?? ''}</TEMPLATE>` +
    `<HISTORY_RECORDS><HISTORY><HID>${o.hid ?? 4}</HID><HOSTNAME>aws</HOSTNAME></HISTORY></HISTORY_RECORDS></VM></VMM_DRIVER_ACTION_DATA>`;
  return Buffer.from(xml).toString('base64');
}

test('the VM of the action data: id, LCM state, deploy id, host, size, PUBLIC_CLOUD sections (and 3.x EC2)', () => {
  const vm = vmOfActionData(actionData({ lcm: 18, deployId: 'i-9', extra: '<PUBLIC_CLOUD><TYPE>ec2</TYPE><AMI>ami-1</AMI></PUBLIC_CLOUD><EC2><AMI>ami-old</AMI></EC2>' }));
  assert.deepEqual([vm.id, vm.lcmState, vm.deployId, vm.hostId, vm.hostName, vm.cpu, vm.memoryMb], [7, 18, 'i-9', 4, 'aws', 0.5, 512]);
  assert.deepEqual(vm.publicClouds.map((s) => [s.get('TYPE'), s.get('AMI')]), [['EC2', 'ami-1'], ['EC2', 'ami-old']]);
  assert.throws(() => vmOfActionData(undefined), /Missing driver action data/);
});

test('PUBLIC_CLOUD: the section for this host first, over the host defaults; other types ignored', () => {
  const s = (o: Record<string, string>) => new Map(Object.entries(o));
  const vm = { publicClouds: [s({ TYPE: 'OPENNEBULA', TEMPLATE_ID: '3' }), s({ TYPE: 'EC2', AMI: 'ami-any' }), s({ TYPE: 'EC2', HOST: 'aws', AMI: 'ami-here' })] } as unknown as HybridVm;
  const merged = publicCloudFor(vm, ['EC2'], 'aws', s({ AMI: 'ami-default', KEYPAIR: 'k' }));
  assert.deepEqual([merged.get('AMI'), merged.get('KEYPAIR'), merged.get('TEMPLATE_ID')], ['ami-here', 'k', undefined]);
  assert.equal(publicCloudFor(vm, ['EC2'], 'other', undefined).get('AMI'), 'ami-any');
  assert.equal(publicCloudFor({ publicClouds: [] } as unknown as HybridVm, ['EC2'], 'aws', s({ AMI: 'ami-default' })).get('AMI'), 'ami-default');
});

function instance(deployId: string, vmId: number, state: RemoteState, extra: Partial<RemoteInstance> = {}): RemoteInstance {
  return { deployId, vmId, state, reason: '', cpu: 1, memoryMb: 1024, type: 'm1.small', monitoring: new Map([['AWS_IP_ADDRESS', '10.0.0.5']]), ...extra };
}

test('poll texts: running is a, stopped is d, a dead instance is e with the remote reason, keys quoted as needed', () => {
  assert.equal(pollText(instance('i-1', 1, 'running')), 'STATE=a AWS_IP_ADDRESS=10.0.0.5');
  assert.match(pollText(instance('i-1', 1, 'stopped')), /^STATE=d /);
  assert.equal(pollText(instance('i-1', 1, 'terminated', { reason: 'Server.SpotInstanceTermination: "gone"', monitoring: new Map() })), 'STATE=e ERROR="the instance i-1 is terminated on the remote cloud: Server.SpotInstanceTermination: gone"');
  assert.equal(pollText(undefined), 'STATE=e ERROR="the instance is not known to the remote cloud"');
  assert.match(pollText(instance('i-1', 1, 'running', { monitoring: new Map([['NAME', 'a b']]) })), /NAME="a b"$/);
});

/** A remote cloud in memory: ids i-1, i-2...; `deaf` ignores terminations; `down` fails every call. */
class MemoryCloud implements HybridCloud<string> {
  readonly kind = 'mem';
  readonly publicCloudTypes = ['MEM'];
  readonly instances = new Map<string, RemoteInstance>();
  readonly calls: string[] = [];
  deaf = false;
  down = false;
  private next = 1;

  private check(call: string): void {
    this.calls.push(call);
    if (this.down) throw new Error('connect ECONNREFUSED');
  }
  async connect(host: HybridHost): Promise<string> {
    return host.name;
  }
  capacity(): HostCapacity {
    return { cpu: 4, memoryMb: 8192 };
  }
  async describe(_c: string, id: string): Promise<RemoteInstance | undefined> {
    this.check(`describe ${id}`);
    const i = this.instances.get(id);
    // A termination takes one look to complete.
    if (i?.state === 'terminating') this.instances.set(id, { ...i, state: 'terminated' });
    if (i?.state === 'stopping') this.instances.set(id, { ...i, state: 'stopped' });
    return i;
  }
  async list(): Promise<RemoteInstance[]> {
    this.check('list');
    return [...this.instances.values()];
  }
  async launch(_c: string, _h: HybridHost, vm: HybridVm, section: Settings): Promise<string> {
    this.check(`launch ${vm.id} ${section.get('AMI') ?? ''}`);
    const id = `i-${this.next++}`;
    this.instances.set(id, instance(id, vm.id, 'running'));
    return id;
  }
  private set(id: string, state: RemoteState): void {
    const i = this.instances.get(id);
    if (i) this.instances.set(id, { ...i, state });
  }
  async start(_c: string, id: string): Promise<void> {
    this.check(`start ${id}`);
    this.set(id, 'running');
  }
  async stop(_c: string, id: string): Promise<void> {
    this.check(`stop ${id}`);
    this.set(id, 'stopping');
  }
  async reboot(_c: string, id: string): Promise<void> {
    this.check(`reboot ${id}`);
  }
  async terminate(_c: string, id: string): Promise<void> {
    this.check(`terminate ${id}`);
    if (!this.deaf) this.set(id, 'terminating');
  }
}

class MemoryHosts implements HostSource {
  vms = new Set<number>([7]);
  async host(id: number): Promise<HybridHost> {
    const template = new Map([['NAME', 'aws']]);
    return { id, name: 'aws', template, vector: (n) => (n === 'PUBLIC_CLOUD_DEFAULTS' ? new Map([['AMI', 'ami-default']]) : undefined), vms: new Set(this.vms) };
  }
  async runningDeployIds(): Promise<Map<number, string>> {
    return new Map();
  }
}

function setup(confirmSec = 2) {
  const cloud = new MemoryCloud();
  const hosts = new MemoryHosts();
  const driver = new HybridDriver(cloud, { hosts, confirmSec, pollMs: 10 });
  const logs: string[] = [];
  const ctx: ActionContext = { signal: new AbortController().signal, log: (_s, t) => logs.push(t) };
  const vmm = driver.vmmActions();
  const run = async (action: string, data: string) => (await vmm.get(action)!({ action, id: 7, args: [data] } as Request, ctx))!;
  return { cloud, hosts, driver, ctx, logs, run };
}

test('DEPLOY launches with the host defaults, takes over the VM\'s tagged instance, starts a stopped one again', async () => {
  const s = setup();
  const first = await s.run('DEPLOY', actionData());
  assert.deepEqual(first, { ok: true, info: 'i-1' });
  assert.ok(s.cloud.calls.includes('launch 7 ami-default'));
  // A deploy sent again (its answer lost): the tagged instance, not a second one.
  assert.deepEqual(await s.run('DEPLOY', actionData()), { ok: true, info: 'i-1' });
  assert.equal(s.cloud.instances.size, 1);
  // Resume from poweroff: the same instance, started.
  s.cloud.instances.set('i-1', instance('i-1', 7, 'stopped'));
  assert.deepEqual(await s.run('DEPLOY', actionData({ deployId: 'i-1', lcm: 20 })), { ok: true, info: 'i-1' });
  assert.ok(s.cloud.calls.includes('start i-1'));
  assert.equal(s.cloud.instances.get('i-1')?.state, 'running');
});

test('SHUTDOWN ends the instance once the remote confirms; a poweroff stops it', async () => {
  const s = setup();
  s.cloud.instances.set('i-1', instance('i-1', 7, 'running'));
  assert.deepEqual(await s.run('SHUTDOWN', actionData({ deployId: 'i-1', lcm: 18 })), { ok: true, info: '' });
  assert.equal(s.cloud.instances.get('i-1')?.state, 'stopped');
  assert.deepEqual(await s.run('CANCEL', actionData({ deployId: 'i-1', lcm: 12 })), { ok: true, info: '' });
  assert.equal(s.cloud.instances.get('i-1')?.state, 'terminated');
});

test('a terminate the remote does not confirm is asked again, then fails saying the instance may still run', async () => {
  const s = setup(1);
  s.cloud.instances.set('i-1', instance('i-1', 7, 'running'));
  s.cloud.deaf = true;
  const r = await s.run('SHUTDOWN', actionData({ deployId: 'i-1', lcm: 12 }));
  assert.equal(r.ok, false);
  assert.match(r.info ?? '', /has not confirmed that instance i-1 is terminated after 1 s; it may still run: send the action again/);
  assert.ok(s.cloud.calls.filter((c) => c === 'terminate i-1').length >= 2, s.cloud.calls.join(', '));
  // An endpoint that is down: retried the same way, with its error in the message.
  s.cloud.down = true;
  const down = await s.run('SHUTDOWN', actionData({ deployId: 'i-1', lcm: 12 }));
  assert.match(down.info ?? '', /\(last error: connect ECONNREFUSED\)/);
  // The remote back: the same action finishes it.
  s.cloud.down = false;
  s.cloud.deaf = false;
  assert.equal((await s.run('SHUTDOWN', actionData({ deployId: 'i-1', lcm: 12 }))).ok, true);
  assert.equal(s.cloud.instances.get('i-1')?.state, 'terminated');
});

test('MONITOR: capacity and use, the host\'s VMs with their poll, and instances of VMs that left the host ended', async () => {
  const s = setup();
  s.cloud.instances.set('i-1', instance('i-1', 7, 'running'));
  s.cloud.instances.set('i-2', instance('i-2', 8, 'running', { cpu: 2, memoryMb: 2048 }));
  s.cloud.instances.set('i-3', instance('i-3', 9, 'terminated', { cpu: 2 }));
  // VM 7 was undeployed and deployed again: its old, terminated instance is listed first.
  s.cloud.instances.set('i-0', instance('i-0', 7, 'terminated'));
  const order = [...s.cloud.instances.entries()].sort(([a], [b]) => a.localeCompare(b));
  s.cloud.instances.clear();
  for (const [k, v] of order) s.cloud.instances.set(k, v);
  const report = Template.parse(await s.driver.monitor(4, s.ctx));
  assert.deepEqual(
    ['HYPERVISOR', 'PUBLIC_CLOUD', 'TOTALCPU', 'USEDCPU', 'FREECPU', 'TOTALMEMORY', 'USEDMEMORY'].map((k) => report.get(k)),
    ['mem', 'YES', '400', '300', '100', String(8192 * 1024), String(3072 * 1024)],
  );
  const vms = report.getAll('VM').map((a) => (typeof a.value === 'string' ? [] : [a.value.get('ID'), a.value.get('DEPLOY_ID'), a.value.get('POLL')]));
  assert.deepEqual(vms, [['7', 'i-1', 'STATE=a AWS_IP_ADDRESS=10.0.0.5']]);
  // VM 8 is not on the host (any more): its instance is ended; the terminated one is left alone.
  assert.ok(s.cloud.calls.includes('terminate i-2'));
  assert.ok(!s.cloud.calls.includes('terminate i-3'));
});

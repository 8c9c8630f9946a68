/**
 * The `one` hybrid cloud (OpenNebula 5.x's "OpenNebula as a host"): a host is another
 * OpenNebula or nebula-ts, reached through the client library (src/oca).
 *
 * Host template: ONE_USER, ONE_PASSWORD (HOST_ENCRYPTED_ATTR), ONE_ENDPOINT (its XML-RPC URL),
 * ONE_CAPACITY = [ CPU = <cores>, MEMORY = <MB> ], PUBLIC_CLOUD_DEFAULTS (for VMs).
 * VM: PUBLIC_CLOUD = [ TYPE = "opennebula", TEMPLATE_ID ]: the remote template instantiated.
 * Remote VMs are named `one-<vm id>` and carry ONE_ID (the VM id) and ONE_HOST (the host's name)
 * in their user template.
 */
import { createHash } from 'node:crypto';
import { Oca, OneError, OneErrorCode, PoolFilter, vmShortState, type VirtualMachine } from '../../oca/index.js';
import { LIVE_STATES, type HostCapacity, type HybridCloud, type RemoteInstance, type RemoteState } from '../hybrid/cloud.js';
import type { HybridHost } from '../hybrid/host-lookup.js';
import { required, type HybridVm, type Settings } from '../hybrid/settings.js';

export const VM_ATTR = 'ONE_ID';
export const HOST_ATTR = 'ONE_HOST';

export interface OneConnection {
  readonly one: Oca;
  readonly where: string;
}

function stateOf(vm: VirtualMachine): RemoteState {
  switch (vmShortState(vm.state, vm.lcmState)) {
    case 'runn':
      return 'running';
    case 'fail':
    case 'unkn':
      return 'failed';
    case 'poff':
    case 'stop':
    case 'susp':
    case 'unde':
      return 'stopped';
    case 'done':
      return 'terminated';
    case 'shut':
    case 'epil':
    case 'clea':
      // On the way to POWEROFF (SHUTDOWN_POWEROFF) or to DONE.
      return vm.lcmState === 18 ? 'stopping' : 'terminating';
    default:
      return 'pending';
  }
}

function oneError(where: string, err: unknown): Error {
  return new Error(`OpenNebula ${where}: ${(err as Error).message}`);
}

export class OneCloud implements HybridCloud<OneConnection> {
  readonly kind = 'one';
  readonly publicCloudTypes = ['OPENNEBULA', 'ONE'];
  private readonly clients = new Map<string, OneConnection>();

  async connect(host: HybridHost): Promise<OneConnection> {
    const where = `host ${host.name}`;
    const user = required(host.template, 'ONE_USER', where);
    const password = required(host.template, 'ONE_PASSWORD', where);
    const endpoint = required(host.template, 'ONE_ENDPOINT', where);
    const key = createHash('sha256').update(JSON.stringify([user, password, endpoint])).digest('hex');
    let conn = this.clients.get(key);
    if (!conn) {
      conn = { one: new Oca({ endpoint, session: `${user}:${password}`, timeoutMs: 30_000 }), where: endpoint };
      this.clients.set(key, conn);
    }
    return conn;
  }

  capacity(host: HybridHost): HostCapacity {
    const c = host.vector('ONE_CAPACITY');
    const cpu = Number(c?.get('CPU') ?? 0);
    const memoryMb = Number(c?.get('MEMORY') ?? 0);
    if (!(cpu >= 0) || !(memoryMb >= 0)) throw new Error(`ONE_CAPACITY of host ${host.name} must give CPU (cores) and MEMORY (MB) as numbers >= 0`);
    return { cpu, memoryMb };
  }

  private instanceOf(vm: VirtualMachine): RemoteInstance {
    const vmText = vm.get(`USER_TEMPLATE/${VM_ATTR}`);
    const ips = vm.all('TEMPLATE/NIC').map((n) => n.children.find((c) => c.name === 'IP')?.text ?? '').filter((ip) => ip !== '');
    return {
      deployId: String(vm.id),
      vmId: /^\d+$/.test(vmText) ? Number(vmText) : -1,
      state: stateOf(vm),
      reason: vm.get('USER_TEMPLATE/ERROR') || vm.get('TEMPLATE/ERROR'),
      cpu: Number(vm.get('TEMPLATE/CPU')) || 0,
      memoryMb: Number(vm.get('TEMPLATE/MEMORY')) || 0,
      type: '',
      monitoring: new Map([
        ['OPENNEBULA_VM_ID', String(vm.id)],
        ['OPENNEBULA_STATE', vmShortState(vm.state, vm.lcmState)],
        ['OPENNEBULA_IP', ips.join(',')],
        ['OPENNEBULA_HOST', vm.hostname],
      ]),
    };
  }

  async describe(conn: OneConnection, deployId: string): Promise<RemoteInstance | undefined> {
    if (!/^\d+$/.test(deployId)) return undefined;
    try {
      return this.instanceOf(await conn.one.vms.info(Number(deployId)));
    } catch (err) {
      if (err instanceof OneError && err.code === OneErrorCode.NO_EXISTS) return undefined;
      throw oneError(conn.where, err);
    }
  }

  async list(conn: OneConnection, host: HybridHost): Promise<RemoteInstance[]> {
    try {
      const vms = await conn.one.vms.listExtended(PoolFilter.MINE, -1, -1, -1);
      return vms.filter((vm) => vm.get(`USER_TEMPLATE/${HOST_ATTR}`) === host.name).map((vm) => this.instanceOf(vm));
    } catch (err) {
      throw oneError(conn.where, err);
    }
  }

  async launch(conn: OneConnection, host: HybridHost, vm: HybridVm, section: Settings, instances: readonly RemoteInstance[]): Promise<string> {
    const templateId = section.get('TEMPLATE_ID') ?? '';
    if (!/^\d+$/.test(templateId)) throw new Error(`VM ${vm.id} has no remote template for host ${host.name}: give PUBLIC_CLOUD = [ TYPE = "opennebula", TEMPLATE_ID = <id> ] in the VM or the host template`);
    const total = this.capacity(host);
    const used = instances.filter((i) => LIVE_STATES.has(i.state)).reduce((a, i) => ({ cpu: a.cpu + i.cpu, memoryMb: a.memoryMb + i.memoryMb }), { cpu: 0, memoryMb: 0 });
    if (used.cpu + vm.cpu > total.cpu || used.memoryMb + vm.memoryMb > total.memoryMb) {
      throw new Error(
        `Host ${host.name} has no capacity left for VM ${vm.id} (CPU ${vm.cpu}, MEMORY ${vm.memoryMb} MB): ONE_CAPACITY is CPU ${total.cpu}, MEMORY ${total.memoryMb} MB, ` +
          `of which CPU ${used.cpu}, MEMORY ${used.memoryMb} MB are in use`,
      );
    }
    const extra = `${VM_ATTR} = "${vm.id}"\n${HOST_ATTR} = "${host.name.replace(/["\\]/g, '\\$&')}"`;
    try {
      return String(await conn.one.templates.instantiate(Number(templateId), `one-${vm.id}`, false, extra));
    } catch (err) {
      throw oneError(conn.where, err);
    }
  }

  private async act(conn: OneConnection, action: string, id: string): Promise<void> {
    try {
      await conn.one.vms.action(action, Number(id));
    } catch (err) {
      throw oneError(conn.where, err);
    }
  }

  start(conn: OneConnection, id: string): Promise<void> {
    return this.act(conn, 'resume', id);
  }
  stop(conn: OneConnection, id: string): Promise<void> {
    return this.act(conn, 'poweroff', id);
  }
  reboot(conn: OneConnection, id: string): Promise<void> {
    return this.act(conn, 'reboot', id);
  }
  async terminate(conn: OneConnection, id: string): Promise<void> {
    const inst = await this.describe(conn, id);
    if (!inst || inst.state === 'terminated' || inst.state === 'terminating') return;
    // A running VM is shut down; one caught between states (or failed) is ended hard, else recovered as deleted.
    try {
      await conn.one.vms.action(inst.state === 'running' ? 'terminate' : 'terminate-hard', Number(id));
    } catch (err) {
      if (!(err instanceof OneError) || err.code !== OneErrorCode.ACTION) throw oneError(conn.where, err);
      try {
        await conn.one.vms.recover(Number(id), 3);
      } catch (again) {
        throw oneError(conn.where, again);
      }
    }
  }
}

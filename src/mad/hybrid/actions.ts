/**
 * The VMM and IM actions every hybrid driver answers, on top of a HybridCloud:
 *
 * - DEPLOY: starts the VM's instance again when it has one (a resume from poweroff), takes over
 *   an instance already tagged with the VM (a deploy retried after a lost answer), else launches.
 * - SHUTDOWN / CANCEL: a poweroff (LCM SHUTDOWN_POWEROFF) stops the instance, anything else
 *   ends it; CLEANUP ends it too. Ending is confirmed: the driver asks again until the remote
 *   says terminated (or no longer knows it), retrying through errors for `confirmSec`; when the
 *   window ends first the action fails and says so, and `onevm recover --retry` (or terminate)
 *   sends it again. The IM also ends tagged instances whose VM has left the host.
 * - REBOOT / RESET, POLL.
 * - MONITOR (IM): the host's capacity and use, and its VMs' states (`VM = [ ID, DEPLOY_ID, POLL ]`).
 */
import type { ActionContext, ActionHandler, ActionOutcome } from '../server/driver-server.js';
import type { Request } from '../protocol.js';
import { LIVE_STATES, pollText, type HybridCloud, type RemoteInstance } from './cloud.js';
import type { HostSource, HybridHost } from './host-lookup.js';
import { DEFAULTS_VECTOR, publicCloudFor, vmOfActionData, type HybridVm } from './settings.js';

/** LCM states (of an ACTIVE VM) in which SHUTDOWN / CANCEL mean stop, not terminate. */
const POWEROFF_LCM = new Set([18 /* SHUTDOWN_POWEROFF */]);

export interface HybridOptions {
  readonly hosts: HostSource;
  /** Seconds a terminate (or stop) keeps asking until the remote confirms. */
  readonly confirmSec: number;
  /** Milliseconds between two checks (doubling up to 10 s). */
  readonly pollMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal.aborted) return res();
    const t = setTimeout(res, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
  });
}

/** A VM of an IM report: `VM = [ ID, DEPLOY_ID, POLL ]`. */
function vmVector(vid: number, deployId: string, poll: string): string {
  const q = (v: string) => `"${v.replace(/["\\]/g, '\\$&')}"`;
  return `VM = [ ID = "${vid}", DEPLOY_ID = ${q(deployId)}, POLL = ${q(poll)} ]\n`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `<kind> <id>` answers; errors become FAILURE with their message. */
function handler(run: (req: Request, ctx: ActionContext) => Promise<string>): ActionHandler {
  return async (req, ctx): Promise<ActionOutcome> => {
    try {
      return { ok: true, info: await run(req, ctx) };
    } catch (err) {
      return { ok: false, info: message(err) };
    }
  };
}

export class HybridDriver<C> {
  constructor(
    private readonly cloud: HybridCloud<C>,
    private readonly o: HybridOptions,
  ) {}

  private async target(req: Request): Promise<{ vm: HybridVm; host: HybridHost; conn: C }> {
    const vm = vmOfActionData(req.args[0]);
    const host = await this.o.hosts.host(vm.hostId);
    return { vm, host, conn: await this.cloud.connect(host) };
  }

  /** The VM's instance: by deploy id, else by the VM id it was tagged with. */
  private async instanceOf(conn: C, host: HybridHost, vm: HybridVm): Promise<RemoteInstance | undefined> {
    if (vm.deployId !== '') return this.cloud.describe(conn, vm.deployId);
    return (await this.cloud.list(conn, host)).find((i) => i.vmId === vm.id && LIVE_STATES.has(i.state));
  }

  private async deploy(req: Request, ctx: ActionContext): Promise<string> {
    const { vm, host, conn } = await this.target(req);
    const k = this.cloud.kind;
    let inst = vm.deployId !== '' ? await this.cloud.describe(conn, vm.deployId) : undefined;
    let instances: RemoteInstance[] | undefined;
    if (!inst || !LIVE_STATES.has(inst.state)) {
      instances = await this.cloud.list(conn, host);
      inst = instances.find((i) => i.vmId === vm.id && LIVE_STATES.has(i.state));
    }
    if (inst) {
      if (inst.state === 'stopped' || inst.state === 'stopping') {
        ctx.log('I', `${k}: starting instance ${inst.deployId} again`);
        await this.cloud.start(conn, inst.deployId);
      } else ctx.log('I', `${k}: instance ${inst.deployId} of VM ${vm.id} already exists`);
      return inst.deployId;
    }
    const section = publicCloudFor(vm, this.cloud.publicCloudTypes, host.name, host.vector(DEFAULTS_VECTOR));
    const id = await this.cloud.launch(conn, host, vm, section, instances ?? []);
    ctx.log('I', `${k}: launched instance ${id} on host ${host.name}`);
    return id;
  }

  /** Asks for the end (or the stop) of the instance until the remote confirms it. */
  private async settle(conn: C, deployId: string, want: 'terminated' | 'stopped', ctx: ActionContext): Promise<void> {
    const deadline = Date.now() + this.o.confirmSec * 1000;
    let wait = this.o.pollMs ?? 1000;
    let lastError = '';
    let asked = false;
    for (;;) {
      try {
        const inst = await this.cloud.describe(conn, deployId);
        const state = inst?.state;
        if (want === 'terminated' && (state === undefined || state === 'terminated')) return;
        if (want === 'stopped' && state === 'stopped') return;
        if (want === 'stopped' && (state === undefined || state === 'terminated' || state === 'terminating' || state === 'failed')) {
          throw new Error(`the instance ${deployId} is ${state ?? 'gone'} on the remote cloud${inst?.reason ? `: ${inst.reason}` : ''}`);
        }
        const moving = want === 'terminated' ? state === 'terminating' : state === 'stopping';
        if (!moving || !asked) {
          if (want === 'terminated') await this.cloud.terminate(conn, deployId);
          else await this.cloud.stop(conn, deployId);
          asked = true;
        }
        lastError = '';
      } catch (err) {
        if (/ is (gone|terminated|terminating|failed) on the remote cloud/.test(message(err))) throw err;
        lastError = message(err);
        ctx.log('W', `${this.cloud.kind}: ${deployId}: ${lastError}; asking again`);
      }
      if (ctx.signal.aborted) throw new Error('cancelled');
      if (Date.now() + wait > deadline) {
        const what = want === 'terminated' ? 'terminated' : 'stopped';
        throw new Error(
          `The remote cloud has not confirmed that instance ${deployId} is ${what} after ${this.o.confirmSec} s` +
            `${lastError ? ` (last error: ${lastError})` : ''}; it may still run: send the action again (onevm recover --retry, or terminate)`,
        );
      }
      await sleep(wait, ctx.signal);
      wait = Math.min(wait * 2, 10_000);
    }
  }

  private async shutdown(req: Request, ctx: ActionContext): Promise<string> {
    const { vm, host, conn } = await this.target(req);
    // With a deploy id, the remote is asked (again and again when it does not answer) by settle.
    const deployId = vm.deployId || (await this.instanceOf(conn, host, vm))?.deployId;
    if (!deployId) {
      ctx.log('I', `${this.cloud.kind}: VM ${vm.id} has no instance on host ${host.name}`);
      return '';
    }
    await this.settle(conn, deployId, POWEROFF_LCM.has(vm.lcmState) ? 'stopped' : 'terminated', ctx);
    return '';
  }

  private async reboot(req: Request): Promise<string> {
    const { vm, host, conn } = await this.target(req);
    const inst = await this.instanceOf(conn, host, vm);
    if (!inst) throw new Error(`VM ${vm.id} has no instance on host ${host.name}`);
    await this.cloud.reboot(conn, inst.deployId);
    return '';
  }

  private async poll(req: Request): Promise<string> {
    const { vm, host, conn } = await this.target(req);
    return pollText(await this.instanceOf(conn, host, vm));
  }

  /** The VMM actions. */
  vmmActions(): Map<string, ActionHandler> {
    const shutdown = handler((r, c) => this.shutdown(r, c));
    const reboot = handler((r) => this.reboot(r));
    return new Map<string, ActionHandler>([
      ['DEPLOY', handler((r, c) => this.deploy(r, c))],
      ['SHUTDOWN', shutdown],
      ['CANCEL', shutdown],
      ['CLEANUP', shutdown],
      ['REBOOT', reboot],
      ['RESET', reboot],
      ['POLL', handler((r) => this.poll(r))],
    ]);
  }

  /** The host's monitoring template (MONITOR). */
  async monitor(hostId: number, ctx: ActionContext): Promise<string> {
    const first = await this.o.hosts.host(hostId);
    const conn = await this.cloud.connect(first);
    const total = this.cloud.capacity(first);
    const instances = await this.cloud.list(conn, first);
    // Read after the listing: a VM it shows was placed on the host before its instance was made.
    const host = await this.o.hosts.host(hostId);
    const live = instances.filter((i) => LIVE_STATES.has(i.state));
    const used = live.reduce((a, i) => ({ cpu: a.cpu + i.cpu, memoryMb: a.memoryMb + i.memoryMb }), { cpu: 0, memoryMb: 0 });
    const cpu = (n: number) => Math.round(n * 100);
    const kb = (mb: number) => Math.round(mb * 1024);
    let text =
      `HYPERVISOR=${this.cloud.kind}\nPUBLIC_CLOUD=YES\n` +
      `TOTALCPU=${cpu(total.cpu)}\nUSEDCPU=${cpu(used.cpu)}\nFREECPU=${Math.max(0, cpu(total.cpu - used.cpu))}\n` +
      `TOTALMEMORY=${kb(total.memoryMb)}\nUSEDMEMORY=${kb(used.memoryMb)}\nFREEMEMORY=${Math.max(0, kb(total.memoryMb - used.memoryMb))}\n`;
    // One instance per VM: its live one wins over the ended ones (a VM undeployed and deployed
    // again has both, and the old one's end says nothing of the VM).
    const byVm = new Map<number, RemoteInstance>();
    for (const i of instances) {
      if (!host.vms.has(i.vmId)) continue;
      const seen = byVm.get(i.vmId);
      if (!seen || (!LIVE_STATES.has(seen.state) && LIVE_STATES.has(i.state))) byVm.set(i.vmId, i);
    }
    const reported = new Set(byVm.keys());
    for (const i of byVm.values()) text += vmVector(i.vmId, i.deployId, pollText(i));
    // Running VMs the listing missed (a remote that forgets ended instances): asked one by one.
    const missing = await this.o.hosts.runningDeployIds([...host.vms].filter((v) => !reported.has(v)));
    for (const [vid, deployId] of missing) {
      const poll = pollText(await this.cloud.describe(conn, deployId), `the instance ${deployId} is not known to the remote cloud any more`);
      text += vmVector(vid, deployId, poll);
    }
    // Instances of VMs that left the host (deleted, recovered, undeployed): never left running.
    for (const i of live) {
      if (i.vmId < 0 || host.vms.has(i.vmId)) continue;
      ctx.log('I', `${this.cloud.kind}: terminating instance ${i.deployId}: its VM ${i.vmId} is no longer on host ${host.name}`);
      try {
        await this.cloud.terminate(conn, i.deployId);
      } catch (err) {
        ctx.log('W', `${this.cloud.kind}: cannot terminate ${i.deployId}: ${message(err)}`);
      }
    }
    return text;
  }

  imActions(): Map<string, ActionHandler> {
    return new Map<string, ActionHandler>([
      ['MONITOR', handler(async (r, c) => Buffer.from(await this.monitor(r.id, c)).toString('base64'))],
      ['STOPMONITOR', handler(async () => '')],
    ]);
  }
}

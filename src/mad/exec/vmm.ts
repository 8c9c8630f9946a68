/**
 * Virtual machine manager runner (`one_vmm_exec <driver>`): each request
 * `<ACTION> <vm_id> <base64 VMM_DRIVER_ACTION_DATA>` runs the scripts of
 * `remotes/vmm/<driver>/` on the VM's host (over ssh) or on the front-end (actions listed in
 * `-l`), with the network (`remotes/vnm/<vn_mad>/`) and transfer steps around them, as
 * OpenNebula's exec driver does. Every VMM script gets `<vm_id> <host>` after its own
 * arguments, and the decoded action data on stdin (deploy: the deployment file).
 * docs/drivers.md lists the arguments per action.
 */
import { readFile } from 'node:fs/promises';
import type { XmlNode } from '../../common/xml-tree.js';
import type { Request } from '../protocol.js';
import type { ActionContext, ActionHandler, ActionOutcome } from '../server/driver-server.js';
import { select } from '../../common/xml-tree.js';
import { decodeActionData, rawElement, text, where, type ActionData } from './action-data.js';
import type { ScriptResult, ScriptRunner } from './script-runner.js';
import type { TransferRunner } from './tm.js';
import { backupCancelSteps, backupSteps } from './vmm-backup.js';

export interface VmmConfig {
  /** Driver folder under remotes/vmm. */
  readonly driver: string;
  readonly runner: ScriptRunner;
  readonly transfer: TransferRunner;
  /** Scripts run on the front-end (`-l`), by upper-case script name, with an optional new name. */
  readonly local: ReadonlyMap<string, string | undefined>;
}

/** Network driver with nothing to do: its steps are skipped. */
const DUMMY_VNM = 'dummy';

/** A step failed: carries the message for the reply. */
export class StepFailed extends Error {}

/** One request being served: its data and the step helpers. */
export class VmmAction {
  readonly vmId: string;
  readonly host: string;
  readonly migrHost: string;
  readonly deployId: string;
  readonly vm: XmlNode | undefined;
  private readonly vnmDrivers: string[];

  constructor(
    private readonly config: VmmConfig,
    private readonly request: Request,
    readonly data: ActionData,
    private readonly ctx: ActionContext,
  ) {
    const root = data.root;
    this.vmId = String(request.id);
    this.host = text(root, 'HOST');
    this.migrHost = text(root, 'MIGR_HOST');
    this.deployId = text(root, 'DEPLOY_ID');
    this.vm = select(root, 'VM')[0];
    const drivers = new Set<string>();
    for (const path of ['TEMPLATE/NIC', 'TEMPLATE/NIC_ALIAS']) {
      for (const nic of this.vm ? select(this.vm, path) : []) {
        const d = text(nic, 'VN_MAD');
        if (d !== '' && d !== DUMMY_VNM) drivers.add(d);
      }
    }
    this.vnmDrivers = [...drivers];
  }

  field(path: string): string {
    return text(this.data.root, path);
  }

  isLocal(script: string): boolean {
    return this.config.local.has(script.toUpperCase());
  }

  /** Runs a VMM script (`<args> <vm_id> <host>`), on the destination host when `destination`. */
  vmm(script: string, args: readonly string[], opts: { stdin?: string; destination?: boolean } = {}): Promise<ScriptResult> {
    const host = opts.destination ? this.migrHost : this.host;
    const local = this.isLocal(script);
    const name = this.config.local.get(script.toUpperCase()) ?? script;
    return this.config.runner.run(
      {
        script: `vmm/${this.config.driver}/${name}`,
        args: [...args, this.vmId, host],
        stdin: opts.stdin ?? this.data.xml,
        host: local ? undefined : host,
      },
      this.ctx,
    );
  }

  /** Runs a network script of every network driver of the VM's NICs, stopping at a failure. */
  async vnm(script: string, args: readonly string[], destination = false): Promise<ScriptResult> {
    const host = destination ? this.migrHost : this.host;
    const stdin = Buffer.from(this.vm ? rawElement(this.data.xml, 'VM') : '').toString('base64');
    for (const d of this.vnmDrivers) {
      const path = `vnm/${d}/${script}`;
      if (!this.config.runner.has(path)) return failed(`Network driver '${d}' has no ${script} script`);
      const r = await this.config.runner.run(
        { script: path, args, stdin, host: this.isLocal(script) ? undefined : host },
        this.ctx,
      );
      if (!r.ok) return r;
    }
    return ok('');
  }

  /** Runs transfer commands (one per line) on the front-end (with another context when given). */
  tm(lines: string, ctx: ActionContext = this.ctx): Promise<ScriptResult> {
    return this.config.transfer.runLines(lines, ctx);
  }

  /** Runs a script of the remotes tree on the front-end (datastore drivers). */
  frontend(script: string, args: readonly string[], stdin: string, ctx: ActionContext = this.ctx): Promise<ScriptResult> {
    if (!this.config.runner.has(script)) return Promise.resolve(failed(`No script ${script} in the remotes tree`));
    return this.config.runner.run({ script, args, stdin }, ctx);
  }

  /** The request's context (its abort signal and log). */
  get context(): ActionContext {
    return this.ctx;
  }

  log(step: string, r: ScriptResult): ScriptResult {
    this.ctx.log(r.ok ? 'I' : 'E', `${r.ok ? 'Successfully executed' : 'Failed to execute'} ${step}.`);
    return r;
  }

  /** Awaits a step; throws StepFailed with its message when it failed. */
  async must(step: string, p: Promise<ScriptResult>): Promise<ScriptResult> {
    const r = this.log(step, await p);
    if (!r.ok) throw new StepFailed(r.info);
    return r;
  }

  /** Runs a clean-up step whose failure is only logged. */
  async tryTo(step: string, p: Promise<ScriptResult>): Promise<void> {
    this.log(step, await p);
  }

  /** `DISK[ATTACH=YES]/TARGET` and its index (`vdc` → 2), required by disk hot-plug. */
  attachedDiskTarget(): [string, string] {
    const disk = this.vm && where(this.vm, 'TEMPLATE/DISK', 'ATTACH', 'YES');
    const target = disk ? text(disk, 'TARGET') : '';
    if (target === '') throw new StepFailed(`No disk to ${this.request.action === 'ATTACHDISK' ? 'attach' : 'detach'} (DISK with ATTACH=YES and a TARGET)`);
    return [target, String(target.toLowerCase().charCodeAt(target.length - 1) - 97)];
  }

  required(path: string): string {
    const v = this.field(path);
    if (v === '') throw new StepFailed(`${this.request.action} needs ${path} in its action data`);
    return v;
  }

  /** `key` of the SNAPSHOT oned marked with ACTION=`action` (CREATE, REVERT, DELETE). */
  pendingSnapshot(action: string, key: string): string {
    const snap = this.vm && where(this.vm, 'TEMPLATE/SNAPSHOT', 'ACTION', action);
    const v = snap ? text(snap, key) : '';
    if (v === '') throw new StepFailed(`No snapshot with ACTION=${action} and a ${key}`);
    return v;
  }

  attachedNic(): XmlNode {
    const nic = this.vm && where(this.vm, 'TEMPLATE/NIC', 'ATTACH', 'YES');
    if (!nic) throw new StepFailed('No NIC with ATTACH=YES');
    return nic;
  }
}

type Steps = (a: VmmAction) => Promise<string>;

/** TM_COMMAND `MIGRATE tm args` as `PREMIGRATE`/`POSTMIGRATE`/`FAILMIGRATE`. */
function migrateCommand(prefix: string, tmCommand: string): string {
  return tmCommand === '' ? '' : prefix + tmCommand;
}

/**
 * Awaits a step that comes after the network pre step (on the migration destination when
 * `destination`), or pre itself (a driver may have set up some NICs before the failing one):
 * when it fails, network clean undoes pre before the failure is thrown.
 */
async function orCleanNetwork(a: VmmAction, step: string, p: Promise<ScriptResult>, destination = false): Promise<ScriptResult> {
  const r = a.log(step, await p);
  if (r.ok) return r;
  await a.tryTo('network driver operation: clean', a.vnm('clean', [destination ? a.migrHost : a.host], destination));
  throw new StepFailed(r.info);
}

function networkPre(a: VmmAction, destination = false): Promise<ScriptResult> {
  return orCleanNetwork(a, 'network driver operation: pre', a.vnm('pre', [], destination), destination);
}

async function destroy(a: VmmAction, script: 'shutdown' | 'cancel'): Promise<string> {
  const r = await a.must(`virtualization driver operation: ${script}`, a.vmm(script, [a.deployId, a.host]));
  await a.must('network driver operation: clean', a.vnm('clean', [a.host]));
  return r.stdout;
}

async function restart(a: VmmAction, script: 'reboot' | 'reset'): Promise<string> {
  return (await a.must(`virtualization driver operation: ${script}`, a.vmm(script, [a.deployId, a.host]))).stdout;
}

const STEPS: Record<string, Steps> = {
  async DEPLOY(a) {
    const localFile = a.field('LOCAL_DEPLOYMENT_FILE');
    const domain = localFile === '' ? '' : await readFile(localFile, 'utf8').catch(() => '');
    if (domain === '') throw new StepFailed(`Cannot open deployment file ${localFile}`);
    const dfile = a.isLocal('deploy') ? localFile : a.field('REMOTE_DEPLOYMENT_FILE');
    const tmCommand = a.field('TM_COMMAND');
    if (tmCommand !== '') await a.must('transfer manager driver operation: context', a.tm(tmCommand));
    await networkPre(a);
    const deployed = await orCleanNetwork(a, 'virtualization driver operation: deploy', a.vmm('deploy', [dfile, a.host], { stdin: domain }));
    const deployId = deployed.stdout;
    const post = await a.vnm('post', [deployId, a.host]);
    if (!a.log('network driver operation: post', post).ok) {
      await a.tryTo('virtualization driver operation: cancel', a.vmm('cancel', [deployId, a.host]));
      await a.tryTo('network driver operation: clean', a.vnm('clean', [a.host]));
      throw new StepFailed(post.info);
    }
    return deployId;
  },
  SHUTDOWN: (a) => destroy(a, 'shutdown'),
  CANCEL: (a) => destroy(a, 'cancel'),
  async SAVE(a) {
    const checkpoint = a.field('CHECKPOINT_FILE');
    const r = await a.must('virtualization driver operation: save', a.vmm('save', [a.deployId, checkpoint, a.host]));
    await a.must('network driver operation: clean', a.vnm('clean', [a.host]));
    return r.stdout;
  },
  async RESTORE(a) {
    const tmCommand = a.field('TM_COMMAND');
    if (tmCommand !== '') await a.must('transfer manager driver operation: context', a.tm(tmCommand));
    await networkPre(a);
    const checkpoint = a.field('CHECKPOINT_FILE');
    const r = await orCleanNetwork(a, 'virtualization driver operation: restore', a.vmm('restore', [checkpoint, a.host, a.deployId]));
    const post = await a.vnm('post', [a.deployId, a.host]);
    if (!a.log('network driver operation: post', post).ok) {
      await a.tryTo('virtualization driver operation: cancel', a.vmm('cancel', [a.deployId, a.host]));
      await a.tryTo('network driver operation: clean', a.vnm('clean', [a.host]));
      throw new StepFailed(post.info);
    }
    return r.stdout;
  },
  async MIGRATE(a) {
    const tmCommand = a.field('TM_COMMAND');
    const dest = a.required('MIGR_HOST');
    await a.must('transfer manager driver operation: premigrate', a.tm(migrateCommand('PRE', tmCommand)));
    let r: ScriptResult;
    try {
      await networkPre(a, true);
      // On failure the VM stays on the source: what pre set up on the destination goes.
      r = await orCleanNetwork(a, 'virtualization driver operation: migrate', a.vmm('migrate', [a.deployId, dest, a.host]), true);
    } catch (e) {
      await a.tryTo('transfer manager driver operation: failmigrate', a.tm(migrateCommand('FAIL', tmCommand)));
      throw e;
    }
    // The VM now runs on the destination: later failures are only logged, as OpenNebula does.
    await a.tryTo('network driver operation: clean', a.vnm('clean', [a.host]));
    await a.tryTo('network driver operation: post', a.vnm('post', [a.deployId, dest], true));
    await a.tryTo('transfer manager driver operation: postmigrate', a.tm(migrateCommand('POST', tmCommand)));
    return r.stdout;
  },
  REBOOT: (a) => restart(a, 'reboot'),
  RESET: (a) => restart(a, 'reset'),
  async POLL(a) {
    return (await a.must('virtualization driver operation: poll', a.vmm('poll', [a.deployId, a.host]))).stdout;
  },
  async ATTACHDISK(a) {
    const tmCommand = a.required('TM_COMMAND');
    const [target, index] = a.attachedDiskTarget();
    await a.must('transfer manager driver operation: attach', a.tm(tmCommand));
    const args = [a.deployId, a.field('DISK_TARGET_PATH'), target, index, Buffer.from(a.data.xml).toString('base64')];
    const r = await a.vmm('attach_disk', args);
    if (!a.log('virtualization driver operation: attach_disk', r).ok) {
      const rollback = a.field('TM_COMMAND_ROLLBACK');
      if (rollback !== '') await a.tryTo('transfer manager driver operation: rollback', a.tm(rollback));
      throw new StepFailed(r.info);
    }
    return r.stdout;
  },
  async DETACHDISK(a) {
    const tmCommand = a.required('TM_COMMAND');
    const [target, index] = a.attachedDiskTarget();
    const args = [a.deployId, a.field('DISK_TARGET_PATH'), target, index];
    const r = await a.must('virtualization driver operation: detach_disk', a.vmm('detach_disk', args));
    await a.must('transfer manager driver operation: detach', a.tm(tmCommand));
    return r.stdout;
  },
  async ATTACHNIC(a) {
    const nic = a.attachedNic();
    const mac = text(nic, 'MAC');
    const args = [a.deployId, mac, text(nic, 'BRIDGE'), text(nic, 'MODEL'), text(nic, 'VN_MAD'), text(nic, 'TARGET')];
    await networkPre(a);
    const r = await orCleanNetwork(a, 'virtualization driver operation: attach_nic', a.vmm('attach_nic', args));
    const post = await a.vnm('post', [a.deployId, a.host]);
    if (!a.log('network driver operation: post', post).ok) {
      await a.tryTo('virtualization driver operation: detach_nic', a.vmm('detach_nic', [a.deployId, mac]));
      await a.tryTo('network driver operation: clean', a.vnm('clean', [a.host]));
      throw new StepFailed(post.info);
    }
    return r.stdout;
  },
  async DETACHNIC(a) {
    const mac = text(a.attachedNic(), 'MAC');
    const r = await a.must('virtualization driver operation: detach_nic', a.vmm('detach_nic', [a.deployId, mac]));
    await a.must('network driver operation: clean', a.vnm('clean', [a.host]));
    return r.stdout;
  },
  async SNAPSHOTCREATE(a) {
    const snapId = a.pendingSnapshot('CREATE', 'SNAPSHOT_ID');
    return (await a.must('virtualization driver operation: snapshot_create', a.vmm('snapshot_create', [a.deployId, snapId]))).stdout;
  },
  async SNAPSHOTREVERT(a) {
    const hid = a.pendingSnapshot('REVERT', 'HYPERVISOR_ID');
    const r = await a.must('virtualization driver operation: snapshot_revert', a.vmm('snapshot_revert', [a.deployId, hid]));
    await a.must('network driver operation: post', a.vnm('post', [a.deployId, a.host]));
    return r.stdout;
  },
  async SNAPSHOTDELETE(a) {
    const hid = a.pendingSnapshot('DELETE', 'HYPERVISOR_ID');
    return (await a.must('virtualization driver operation: snapshot_delete', a.vmm('snapshot_delete', [a.deployId, hid]))).stdout;
  },
  async DISKSNAPSHOTCREATE(a) {
    // A disk snapshot of the running VM: the TM's SNAP_CREATE_LIVE line oned sends.
    return (await a.must('transfer manager driver operation: snap_create_live', a.tm(a.required('TM_COMMAND')))).stdout;
  },
  async RESIZE(a) {
    // The new and the former (TEMPLATE/RESIZE) sizes are in the action data on stdin.
    return (await a.must('virtualization driver operation: resize', a.vmm('resize', [a.deployId]))).stdout;
  },
  async RESIZEDISK(a) {
    // The TM RESIZE line first (a disk in use is left to the hypervisor), then resize_disk.
    const tmCommand = a.required('TM_COMMAND');
    const disk = a.vm && where(a.vm, 'TEMPLATE/DISK', 'RESIZE', 'YES');
    const [diskId, size] = disk ? [text(disk, 'DISK_ID'), text(disk, 'SIZE')] : ['', ''];
    if (diskId === '' || size === '') throw new StepFailed('No disk to resize (DISK with RESIZE=YES, a DISK_ID and a SIZE)');
    await a.must('transfer manager driver operation: resize', a.tm(tmCommand));
    return (await a.must('virtualization driver operation: resize_disk', a.vmm('resize_disk', [a.deployId, diskId, size]))).stdout;
  },
  async UPDATECONF(a) {
    // A new context CD (TM CONTEXT line) swapped into the running domain at the CONTEXT's TARGET.
    const context = a.vm && select(a.vm, 'TEMPLATE/CONTEXT')[0];
    const target = context ? text(context, 'TARGET') : '';
    if (target === '') throw new StepFailed('UPDATECONF needs the VM\'s CONTEXT with a TARGET');
    const tmCommand = a.field('TM_COMMAND');
    if (tmCommand !== '') await a.must('transfer manager driver operation: context', a.tm(tmCommand));
    const iso = a.required('DISK_TARGET_PATH');
    return (await a.must('virtualization driver operation: reconfigure', a.vmm('reconfigure', [a.deployId, target, iso]))).stdout;
  },
  async UPDATESG(a) {
    // The network drivers load the VM's SECURITY_GROUP_RULEs again; the reply names the group.
    await a.must('network driver operation: update_sg', a.vnm('update_sg', [a.deployId]));
    return a.field('SECURITY_GROUP_ID');
  },
  BACKUP: backupSteps,
  BACKUPCANCEL: backupCancelSteps,
  async CLEANUP(a) {
    if (a.deployId !== '') await a.tryTo('virtualization driver operation: cancel', a.vmm('cancel', [a.deployId, a.host]));
    await a.tryTo('network driver operation: clean', a.vnm('clean', [a.host]));
    if (a.migrHost !== '') {
      await a.tryTo('virtualization driver operation: cancel', a.vmm('cancel', [a.deployId, a.migrHost], { destination: true }));
      await a.tryTo('network driver operation: clean', a.vnm('clean', [a.migrHost], true));
    }
    const tmCommand = a.field('TM_COMMAND');
    if (tmCommand !== '') await a.must('transfer manager driver operation: delete', a.tm(tmCommand));
    return '';
  },
};

/** Action names `one_vmm_exec` serves. */
export const VMM_ACTIONS: readonly string[] = Object.keys(STEPS);

/** Action table of `one_vmm_exec <driver>`. */
export function vmmActions(config: VmmConfig): Map<string, ActionHandler> {
  const table = new Map<string, ActionHandler>();
  for (const [name, steps] of Object.entries(STEPS)) {
    table.set(name, async (req, ctx): Promise<ActionOutcome> => {
      try {
        const action = new VmmAction(config, req, decodeActionData(req.args[0]), ctx);
        if (action.host === '') return { ok: false, info: `${req.action} needs HOST in its action data` };
        return { ok: true, info: await steps(action) };
      } catch (e) {
        if (e instanceof StepFailed) return { ok: false, info: e.message || '-' };
        if (e instanceof Error) return { ok: false, info: e.message };
        throw e;
      }
    });
  }
  return table;
}

function ok(stdout: string): ScriptResult {
  return { ok: true, stdout, info: stdout };
}

function failed(info: string): ScriptResult {
  return { ok: false, stdout: '', info };
}

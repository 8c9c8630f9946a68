/**
 * `one.vm.*` and `one.template.instantiate`: creating VMs, reading them, the user actions
 * (through the Dispatch Manager) and hot-plug of DISKs and NICs. Methods return once the state
 * change is committed; the driver work follows in the LCM.
 */
import { AuthOp } from '../../auth/operation.js';
import { chargeQuotas, QuotaExceededError, releaseQuotas } from '../../auth/quota-charge.js';
import { Template, type Vector } from '../../common/template/index.js';
import { ActionNotAvailable, type Who } from '../../dm/index.js';
import { HostState } from '../../host/index.js';
import { ACTION_NAMES, addVmDefaults, diskQuotaUsage, resolveContext, LcmState, nicQuotaUsage, type ResourceUser, ResourceError, VirtualMachine, vectors, VmAction, vmHookSubject, vmQuotaUsage, VmState } from '../../vm/index.js';
import type { PoolObject } from '../../pool/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, newObjectPermissions, parseTemplate } from './common.js';
import { objectMethods, type ObjectKind } from './object-methods.js';
import { prepareSchedActions } from './vm-sched.js';
import { ACTIONS_3X, unsupportedAction, type Action3x } from './vm-action-3x.js';
import { checkRestrictedExtra, checkRestrictedSet, checkRestrictedUpdate, encryptAttributes } from './template-attributes.js';
import { takeImageSnapshots } from '../../image/image-snapshots.js';
import { VmGroupError } from '../../vmgroup/vm-group.js';
import { joinVmGroup, vmGroupToJoin } from './vmgroup.js';

const kind: ObjectKind<VirtualMachine> = {
  prefix: 'one.vm',
  pool: (core) => core.vms,
  namesUnique: false,
  encrypted: 'VM',
  templatesOf: (vm) => [vm.template, vm.userTemplate],
  // The VM's quota moves with it: the new owner and group are charged (or the chown refused), the old ones given back.
  beforeChown: (req, tx, vm, owner) => {
    if (vm.state === VmState.DONE) return;
    const usage = vmQuotaUsage(vm.template);
    try {
      chargeQuotas(tx, req.core, owner.uid, owner.gid, usage);
    } catch (err) {
      if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.ACTION, `Cannot change the owner of VM ${vm.oid}: ${err.message}`, vm.oid);
      throw err;
    }
    releaseQuotas(tx, req.core, vm.owner.uid, vm.owner.gid, usage);
  },
};

/** Attributes of a VM's system TEMPLATE; everything else of an allocate template goes to USER_TEMPLATE. */
const SYSTEM_ATTRIBUTES = new Set([
  'CPU', 'VCPU', 'MEMORY', 'DISK', 'NIC', 'NIC_ALIAS', 'NIC_DEFAULT', 'CONTEXT', 'OS', 'FEATURES', 'INPUT', 'GRAPHICS',
  'VIDEO', 'RAW', 'PCI', 'SPICE_OPTIONS', 'HYPERV_OPTIONS', 'NUMA_NODE', 'TOPOLOGY', 'TPM', 'EMULATOR', 'MEMORY_MAX',
  'VCPU_MAX', 'MEMORY_SLOTS', 'MEMORY_RESIZE_MODE', 'CPU_COST', 'MEMORY_COST', 'DISK_COST', 'SCHED_ACTION', 'VMGROUP',
  'SECURITY_GROUP_RULE', 'TEMPLATE_ID', 'MEMORY_ENCRYPTION', 'QEMU_GA_EXEC', 'SUBMIT_ON_HOLD',
  'VROUTER_ID', 'VROUTER_KEEPALIVED_ID', 'VROUTER_KEEPALIVED_PASSWORD',
]);

const now = () => Math.floor(Date.now() / 1000);

/** The states `one.vm.deploy` starts from. */
const DEPLOYABLE: ReadonlySet<number> = new Set([VmState.PENDING, VmState.HOLD, VmState.STOPPED, VmState.UNDEPLOYED]);

export function who(req: Request): Who {
  return { uid: req.caller.uid, gid: req.caller.gid, reqId: req.id };
}

/** A positive number (CPU, MEMORY) or the error OpenNebula gives. */
function positive(template: Template, name: string, integer: boolean, required: boolean): string | null {
  const v = template.get(name);
  if (v === undefined) return required ? `No ${name} in template.` : null;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return `${name} attribute must be a positive ${integer ? 'integer' : 'float or integer'} value.`;
  return null;
}

/**
 * The images and networks of a VM are the owner's to name and the caller's to USE (as in
 * OpenNebula: instantiating needs USE on every image and network it takes; networks and
 * datastores in clusters honour `%cid` ACL rules).
 */
function resourceUser(req: Request, uid: number): ResourceUser {
  return {
    uid,
    mayUse: (resource) => req.authorize(resource, AuthOp.USE, (resource as PoolObject & { clusterIds?: readonly number[] }).clusterIds),
  };
}

/**
 * Creates a VM from a full template (allocate, instantiate): checks CPU / MEMORY / VCPU and the
 * `given` name, splits TEMPLATE and USER_TEMPLATE, prepares DISKs and NICs, charges the VM
 * quota, all in one step; `nameOf` names the VM from its new id.
 */
export async function createVm(req: Request, full: Template, nameOf: (oid: number) => string, hold: boolean, given: string | null): Promise<number> {
  const vms = req.core.vms;
  req.authorizeCreate('VM');
  for (const [attr, integer, required] of [['CPU', false, true], ['MEMORY', false, true], ['VCPU', true, false]] as const) {
    const problem = positive(full, attr, integer, required);
    if (problem) throw allocateError(vms, problem);
  }
  if (given !== null) {
    try {
      checkName(given, ErrorCode.ALLOCATE);
    } catch (err) {
      throw allocateError(vms, (err as Error).message);
    }
  }
  const system = new Template();
  const user = new Template();
  for (const a of full.attributes()) {
    if (a.name === 'NAME') continue;
    (SYSTEM_ATTRIBUTES.has(a.name) ? system : user).add(a.name, typeof a.value === 'string' ? a.value : new Map(a.value));
  }
  encryptAttributes(req, 'VM', system, user);
  const onHold = hold || (full.get('SUBMIT_ON_HOLD') ?? '').toUpperCase() === 'YES';
  const c = req.caller;
  const tx = req.transaction();
  const oid = vms.nextOid();
  const saProblem = prepareSchedActions(req.core, system, oid, now());
  if (saProblem) {
    tx.rollback();
    throw allocateError(vms, saProblem);
  }
  try {
    const vmGroup = vmGroupToJoin(req, system, c.uid);
    req.core.vmResources.prepare(tx, system, oid, resourceUser(req, c.uid));
    chargeQuotas(tx, req.core, c.uid, c.gid, vmQuotaUsage(system));
    if (vmGroup) joinVmGroup(tx, req.core.vmGroups, vmGroup, system.getVector('VMGROUP')!, oid);
  } catch (err) {
    tx.rollback();
    if (err instanceof ResourceError || err instanceof QuotaExceededError || err instanceof VmGroupError) throw allocateError(vms, err.message);
    throw err;
  }
  addVmDefaults(system, onHold, (t) => req.core.sgVms.rules(t));
  system.set('VMID', String(oid));
  const vm = VirtualMachine.create(oid, nameOf(oid), { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname }, newObjectPermissions(req), system, user, onHold, now());
  resolveContext(vm, c.user.template);
  takeImageSnapshots(req.core.images, vm);
  tx.create(vms, vm);
  await tx.commit();
  // No driver work for PENDING / HOLD: the scheduler or one.vm.deploy moves it on.
  req.core.vmLogs.write(oid, 'DiM', 'I', `New state is ${onHold ? 'HOLD' : 'PENDING'}`);
  req.core.schedActions?.changed(vm);
  if (req.core.hooks.hasVmHooks) req.core.hooks.vmCreated(vmHookSubject(vm, VmState.INIT, LcmState.LCM_INIT));
  return oid;
}

/** The VM, authorized for `op` (USE, MANAGE or ADMIN as §1.6 sets per action). */
function authorizedVm(req: Request, oid: number, op: (typeof AuthOp)[keyof typeof AuthOp]): VirtualMachine {
  return req.authorized(req.core.vms, oid, op);
}

/** Runs a DM step in a transaction; a state that does not allow it becomes ACTION. The LCM follows the commit. */
async function dmStep(req: Request, vm: VirtualMachine, step: (tx: ReturnType<Request['transaction']>) => void): Promise<number> {
  const tx = req.transaction();
  try {
    step(tx);
  } catch (err) {
    // A step refused half-way (a quota, a disk) puts back what it had changed.
    tx.rollback();
    // OpenNebula 7.4 names no object in the failure of a state change (object id -1).
    if (err instanceof ActionNotAvailable) throw new ApiError(ErrorCode.ACTION, err.message, -1);
    if (err instanceof RangeError || err instanceof ResourceError || err instanceof QuotaExceededError) {
      throw new ApiError(ErrorCode.ACTION, err.message, vm.oid);
    }
    throw err;
  }
  await tx.commit(); // the LCM sends the driver work of the new state once committed
  return vm.oid;
}

/** Level of each `one.vm.action` (§1.6): resched is ADMIN, the others MANAGE. */
function actionOp(code: number) {
  return code === VmAction.RESCHED || code === VmAction.UNRESCHED ? AuthOp.ADMIN : AuthOp.MANAGE;
}

/** A 3.x action string: refused outside the states 3.x allowed, else HEAD's action or recover operation. */
async function action3x(req: Request, name: string, a: Action3x, oid: number): Promise<number> {
  const vm = authorizedVm(req, oid, a.op);
  if (!a.allowed(vm)) throw new ApiError(ErrorCode.ACTION, new ActionNotAvailable(name, vm).message, -1);
  if (a.recover !== undefined) return dmStep(req, vm, (tx) => req.core.dm.recover(tx, vm, a.recover!, who(req)));
  const code = a.code!;
  const id = await dmStep(req, vm, (tx) => req.core.dm.action(tx, name, code, vm, who(req)));
  if (code === VmAction.REBOOT_HARD) req.core.lcm.reboot(vm, true);
  return id;
}

/**
 * The host and system datastore of a deploy or migrate, checked as OpenNebula does: MANAGE on the
 * host (the right its scheduler also asks of a VM's owner, and VDCs grant) and USE on the datastore.
 */
function placement(req: Request, vm: VirtualMachine, hid: number, dsId: number, enforce: boolean, what: string) {
  const { hosts, datastores, clusters } = req.core;
  const host = req.authorized(hosts, hid, AuthOp.MANAGE);
  if (host.state === HostState.OFFLINE) throw new ApiError(ErrorCode.ACTION, `Cannot ${what} VM ${vm.oid}: host ${hid} is OFFLINE.`, vm.oid);
  let ds;
  if (dsId >= 0) {
    ds = req.get(datastores, dsId);
    if (!ds.isSystem) throw new ApiError(ErrorCode.ACTION, `Cannot ${what} VM ${vm.oid}: datastore ${dsId} is not a system datastore.`, vm.oid);
    if (!ds.hasCluster(host.clusterId)) throw new ApiError(ErrorCode.ACTION, `Cannot ${what} VM ${vm.oid}: system datastore ${dsId} is not in the cluster of host ${hid} (${host.clusterId}).`, vm.oid);
  } else {
    const cluster = clusters.get(host.clusterId);
    const id = [...(cluster?.datastores ?? [])].sort((a, b) => a - b).find((d) => datastores.get(d)?.isSystem);
    if (id === undefined) throw new ApiError(ErrorCode.ACTION, `Cannot ${what} VM ${vm.oid}: the cluster of host ${hid} has no system datastore.`, vm.oid);
    ds = datastores.get(id)!;
  }
  req.authorize(ds, AuthOp.USE, ds.clusterIds);
  if (enforce && !host.vms.has(vm.oid)) {
    const c = vm.capacity;
    const s = host.share;
    if (s.cpuUsage + c.cpu > s.maxCpu || s.memUsage + c.mem > s.maxMem) {
      throw new ApiError(
        ErrorCode.ACTION,
        `Cannot ${what} VM ${vm.oid}: host ${hid} does not have enough capacity (CPU ${s.cpuUsage}+${c.cpu} of ${s.maxCpu}, MEMORY ${s.memUsage}+${c.mem} KB of ${s.maxMem} KB).`,
        vm.oid,
      );
    }
  }
  return { host, ds };
}

/** Reads a one-vector template argument (`DISK = [...]`, `NIC = [...]`). */
function vectorArg(oid: number, text: string, name: string): Vector {
  const t = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
  const v = t.getVector(name);
  if (!v) throw new ApiError(ErrorCode.ACTION, `The template must have one ${name} vector attribute.`, oid);
  return v;
}

export const vmMethods: MethodDef[] = [
  method({
    name: 'one.vm.allocate',
    params: ['s', { opt: 'b', def: false }],
    run: (req, [text, hold]) => {
      const t = parseTemplate(text, ErrorCode.ALLOCATE);
      checkRestrictedSet(req, 'VM', t, 'VM Template');
      const name = t.get('NAME');
      return createVm(req, t, (oid) => name ?? `one-${oid}`, hold, name ?? null);
    },
  }),
  method({
    name: 'one.template.instantiate',
    params: ['i', 's', { opt: 'b', def: false }, { opt: 's', def: '' }, { opt: 'b', def: false }],
    run: async (req, [tid, name, hold, extra, persistent]) => {
      const tmpl = req.authorized(req.core.templates, tid, AuthOp.USE);
      if (persistent) throw new ApiError(ErrorCode.ACTION, 'Persistent instantiation copies the template\'s images, which this oned does not have yet.', tid);
      const full = tmpl.template.clone();
      if (extra.trim() !== '') {
        const extraTemplate = parseTemplate(extra, ErrorCode.ALLOCATE);
        // Others may repeat the template's restricted values, not change them.
        checkRestrictedExtra(req, 'VM', extraTemplate, full, tid);
        full.merge(extraTemplate);
      }
      full.set('TEMPLATE_ID', String(tid));
      return createVm(req, full, (oid) => (name !== '' ? name : `${tmpl.name}-${oid}`), hold, name !== '' ? name : null);
    },
  }),
  // info, chmod, chown, lock, unlock as every owned object; VM names need not be unique and update edits USER_TEMPLATE.
  ...objectMethods(kind).filter((m) => m.name !== 'one.vm.update' && m.name !== 'one.vm.rename'),
  method({
    name: 'one.vm.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const vm = authorizedVm(req, oid, AuthOp.MANAGE);
      const t = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      checkRestrictedUpdate(req, 'VM', t, vm.userTemplate, type === 1, oid);
      const tx = req.transaction();
      tx.touch(req.core.vms, vm);
      if (type === 0) vm.userTemplate = t;
      else vm.userTemplate.merge(t);
      encryptAttributes(req, 'VM', vm.userTemplate);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vm.rename',
    params: ['i', 's'],
    run: async (req, [oid, name]) => {
      const vm = authorizedVm(req, oid, AuthOp.MANAGE);
      checkName(name, ErrorCode.ACTION, '', oid);
      const tx = req.transaction();
      tx.touch(req.core.vms, vm);
      req.core.vms.rename(vm, name);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vm.action',
    params: ['s', 'i'],
    run: async (req, [action, oid]) => {
      const v3 = ACTIONS_3X.get(action);
      if (v3) return action3x(req, action, v3, oid);
      const code = ACTION_NAMES.get(action);
      if (code === undefined) throw new ApiError(ErrorCode.ACTION, unsupportedAction(action), oid);
      const vm = authorizedVm(req, oid, actionOp(code));
      const id = await dmStep(req, vm, (tx) => req.core.dm.action(tx, action, code, vm, who(req)));
      if (code === VmAction.REBOOT || code === VmAction.REBOOT_HARD) req.core.lcm.reboot(vm, code === VmAction.REBOOT_HARD);
      return id;
    },
  }),
  method({
    name: 'one.vm.deploy',
    params: ['i', 'i', { opt: 'b', def: false }, { opt: 'i', def: -1 }, { opt: 's', def: '' }],
    run: (req, [oid, hid, enforce, dsId]) => {
      const vm = authorizedVm(req, oid, AuthOp.ADMIN);
      // As OpenNebula: the VM's state is checked before the host and datastore.
      if (!DEPLOYABLE.has(vm.state)) throw new ApiError(ErrorCode.ACTION, new ActionNotAvailable('deploy', vm).message, -1);
      const { host, ds } = placement(req, vm, hid, dsId, enforce, 'deploy');
      return dmStep(req, vm, (tx) => req.core.dm.deploy(tx, vm, host, ds, who(req)));
    },
  }),
  method({
    name: 'one.vm.migrate',
    params: ['i', 'i', 'b', { opt: 'b', def: false }, { opt: 'i', def: -1 }, { opt: 'i', def: 0 }],
    run: (req, [oid, hid, live, enforce, dsId, mode]) => {
      const vm = authorizedVm(req, oid, AuthOp.ADMIN);
      if (mode < 0 || mode > 2) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong migration mode ${mode}: use 0 (save), 1 (poweroff) or 2 (poweroff-hard).`, oid);
      if (vm.hostId === hid) throw new ApiError(ErrorCode.ACTION, `Cannot migrate VM ${oid} to host ${hid}: it is already there.`, oid);
      const last = vm.lastHistory;
      const { host, ds } = placement(req, vm, hid, dsId >= 0 ? dsId : (last?.placement.dsId ?? -1), enforce, 'migrate');
      if (last && ds.oid !== last.placement.dsId && live) throw new ApiError(ErrorCode.ACTION, `Cannot live-migrate VM ${oid} to another system datastore.`, oid);
      return dmStep(req, vm, (tx) => req.core.dm.migrate(tx, vm, host, ds, live, mode, who(req)));
    },
  }),
  method({
    name: 'one.vm.recover',
    params: ['i', 'i'],
    run: (req, [oid, op]) => {
      const vm = authorizedVm(req, oid, AuthOp.ADMIN);
      return dmStep(req, vm, (tx) => req.core.dm.recover(tx, vm, op, who(req)));
    },
  }),
  method({
    name: 'one.vm.attach',
    params: ['i', 's'],
    run: (req, [oid, text]) => {
      const vm = authorizedVm(req, oid, AuthOp.MANAGE);
      const disk = vectorArg(oid, text, 'DISK');
      checkRestrictedSet(req, 'VM', new Template([{ name: 'DISK', value: disk }]), 'DISK', oid);
      return dmStep(req, vm, (tx) =>
        req.core.dm.hotplug(tx, vm, 'disk-attach', () => {
          req.core.vmResources.prepareAttachedDisk(tx, vm.template, disk, vm.oid, resourceUser(req, vm.owner.uid));
          chargeQuotas(tx, req.core, vm.owner.uid, vm.owner.gid, diskQuotaUsage(disk));
          disk.set('ATTACH', 'YES');
          vm.template.add('DISK', disk);
        }),
      );
    },
  }),
  method({
    name: 'one.vm.detach',
    params: ['i', 'i'],
    run: (req, [oid, diskId]) => {
      const vm = authorizedVm(req, oid, AuthOp.MANAGE);
      const disk = vectors(vm.template, 'DISK').find((d) => d.get('DISK_ID') === String(diskId));
      if (!disk) throw new ApiError(ErrorCode.ACTION, `VM ${oid} has no DISK with DISK_ID ${diskId}.`, oid);
      return dmStep(req, vm, (tx) =>
        req.core.dm.hotplug(tx, vm, 'disk-detach', () => {
          disk.set('ATTACH', 'YES');
          disk.set('DETACH', 'YES');
        }),
      );
    },
  }),
  method({
    name: 'one.vm.attachnic',
    params: ['i', 's'],
    run: (req, [oid, text]) => {
      const vm = authorizedVm(req, oid, AuthOp.MANAGE);
      refuseRouterVm(vm);
      const nic = vectorArg(oid, text, 'NIC');
      checkRestrictedSet(req, 'VM', new Template([{ name: 'NIC', value: nic }]), 'NIC', oid);
      return attachNic(req, vm, nic);
    },
  }),
  method({
    name: 'one.vm.detachnic',
    params: ['i', 'i'],
    run: (req, [oid, nicId]) => {
      const vm = authorizedVm(req, oid, AuthOp.MANAGE);
      refuseRouterVm(vm);
      return detachNic(req, vm, nicId);
    },
  }),
  method({
    name: 'one.vm.monitoring',
    params: ['i'],
    run: async (req, [oid]) => {
      authorizedVm(req, oid, AuthOp.USE_NO_LCK);
      return req.core.vms.monitoringXml(req.core.db, oid);
    },
  }),
];

/** A VM of a virtual router changes its NICs only through its router (one.vrouter.attachnic / detachnic), as in OpenNebula 7.4. */
function refuseRouterVm(vm: VirtualMachine): void {
  if (vm.template.get('VROUTER_ID') !== undefined) throw new ApiError(ErrorCode.ACTION, 'Action is not supported for virtual router VMs', vm.oid);
}

/** Hot-plugs `nic` into the VM (leased for its owner, quota charged). */
export function attachNic(req: Request, vm: VirtualMachine, nic: Vector): Promise<number> {
  return dmStep(req, vm, (tx) =>
    req.core.dm.hotplug(tx, vm, 'nic-attach', () => {
      req.core.vmResources.prepareAttachedNic(tx, vm.template, nic, vm.oid, resourceUser(req, vm.owner.uid));
      chargeQuotas(tx, req.core, vm.owner.uid, vm.owner.gid, nicQuotaUsage(nic));
      nic.set('ATTACH', 'YES');
      vm.template.add('NIC', nic);
      req.core.sgVms.setRules(vm.template);
    }),
  );
}

/** Starts the detach of the VM's NIC `nicId`. */
export function detachNic(req: Request, vm: VirtualMachine, nicId: number): Promise<number> {
  const nic = vectors(vm.template, 'NIC').find((n) => n.get('NIC_ID') === String(nicId));
  if (!nic) throw new ApiError(ErrorCode.ACTION, `VM ${vm.oid} has no NIC with NIC_ID ${nicId}.`, vm.oid);
  return dmStep(req, vm, (tx) =>
    req.core.dm.hotplug(tx, vm, 'nic-detach', () => {
      nic.set('ATTACH', 'YES');
      nic.set('DETACH', 'YES');
    }),
  );
}

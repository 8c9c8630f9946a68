/**
 * `one.vm.updateconf(id, template, [type])`: the boot and device configuration of a VM (OS,
 * FEATURES, INPUT, GRAPHICS, VIDEO, RAW, CPU_MODEL, BACKUP_CONFIG, each with the keys OpenNebula
 * 7.4 lets change, and any CONTEXT value), replaced (type 0) or merged (1). Other attributes are
 * ignored, as 7.4 does. A RUNNING VM whose CONTEXT changed gets it live: HOTPLUG and the VMM
 * driver's UPDATECONF (a new context CD); other changes take effect at its next boot.
 */
import { AuthOp } from '../../auth/operation.js';
import { Template, type Vector } from '../../common/template/index.js';
import { displayState, GRAPHICS_BASE_PORT, LcmState, resolveContext, VmState, type VirtualMachine } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { parseTemplate } from './common.js';
import { checkRestrictedSet, encryptAttributes } from './template-attributes.js';

/** The sections updateconf changes and the keys of each (OpenNebula 7.4's UPDATECONF_ATTRS). */
export const UPDATECONF_ATTRS: ReadonlyMap<string, readonly string[]> = new Map([
  ['OS', ['ARCH', 'MACHINE', 'KERNEL', 'INITRD', 'BOOTLOADER', 'BOOT', 'KERNEL_CMD', 'ROOT', 'SD_DISK_BUS', 'UUID', 'FIRMWARE']],
  ['FEATURES', ['PAE', 'ACPI', 'APIC', 'LOCALTIME', 'HYPERV', 'GUEST_AGENT', 'VIRTIO_SCSI_QUEUES', 'VIRTIO_BLK_QUEUES', 'IOTHREADS']],
  ['INPUT', ['TYPE', 'BUS']],
  ['GRAPHICS', ['TYPE', 'LISTEN', 'PASSWD', 'KEYMAP', 'COMMAND']],
  ['VIDEO', ['IOMMU', 'ATS', 'TYPE', 'VRAM', 'RESOLUTION']],
  ['RAW', ['TYPE', 'DATA', 'VALIDATE', 'DATA_VMX']],
  ['CPU_MODEL', ['MODEL']],
  ['BACKUP_CONFIG', ['FS_FREEZE', 'KEEP_LAST', 'BACKUP_VOLATILE', 'INCREMENT_MODE', 'MODE']],
]);

/** The states (VM state, or LCM state when ACTIVE) whose configuration may change, as 7.4. */
const STATES: ReadonlySet<number> = new Set([VmState.PENDING, VmState.HOLD, VmState.POWEROFF, VmState.UNDEPLOYED, VmState.CLONING, VmState.CLONING_FAILURE]);
const LCM_STATES: ReadonlySet<number> = new Set(
  [
    'LCM_INIT', 'PROLOG', 'RUNNING', 'EPILOG', 'SHUTDOWN', 'CLEANUP_RESUBMIT', 'SHUTDOWN_POWEROFF', 'CLEANUP_DELETE', 'HOTPLUG_SAVEAS_POWEROFF',
    'SHUTDOWN_UNDEPLOY', 'EPILOG_UNDEPLOY', 'PROLOG_UNDEPLOY', 'HOTPLUG_PROLOG_POWEROFF', 'HOTPLUG_EPILOG_POWEROFF', 'BOOT_FAILURE', 'PROLOG_FAILURE',
    'EPILOG_FAILURE', 'EPILOG_UNDEPLOY_FAILURE', 'PROLOG_MIGRATE_POWEROFF', 'PROLOG_MIGRATE_POWEROFF_FAILURE', 'BOOT_UNDEPLOY_FAILURE',
    'PROLOG_UNDEPLOY_FAILURE', 'DISK_SNAPSHOT_POWEROFF', 'DISK_SNAPSHOT_REVERT_POWEROFF', 'DISK_SNAPSHOT_DELETE_POWEROFF',
  ]
    .map((n) => (LcmState as Record<string, number>)[n])
    .filter((v): v is number => v !== undefined),
);

/** What of `t` updateconf takes: the known sections with their allowed keys, and CONTEXT whole. */
export function updateconfTemplate(t: Template): Template {
  const out = new Template();
  for (const [name, keys] of UPDATECONF_ATTRS) {
    const v = t.getVector(name);
    if (!v) continue;
    const kept: Vector = new Map();
    for (const k of keys) if (v.has(k)) kept.set(k, v.get(k)!);
    if (kept.size > 0) out.set(name, kept);
  }
  const context = t.getVector('CONTEXT');
  if (context) out.set('CONTEXT', new Map(context));
  return out;
}

/**
 * Applies `conf` (an updateconf template) to the VM's TEMPLATE; `append` keeps what it leaves
 * out. @returns whether CONTEXT changed. @throws ApiError INTERNAL for a CONTEXT the VM cannot take.
 */
function apply(vm: VirtualMachine, conf: Template, append: boolean): boolean {
  const t = vm.template;
  for (const [name, keys] of UPDATECONF_ATTRS) {
    const given = conf.getVector(name);
    const current = t.getVector(name);
    if (!given) {
      if (!append) t.remove(name);
    } else if (!current) t.set(name, new Map(given));
    else {
      for (const k of keys) {
        const v = given.get(k);
        if (v !== undefined) current.set(k, v);
        else if (!append) current.delete(k);
      }
    }
  }
  // A new GRAPHICS section gets the VM's port, as at allocate (PORT itself is not updateconf's).
  const graphics = t.getVector('GRAPHICS');
  if (graphics && !graphics.get('PORT')) graphics.set('PORT', String(GRAPHICS_BASE_PORT + vm.oid));
  const given = conf.getVector('CONTEXT');
  const current = t.getVector('CONTEXT');
  if (!given) return false;
  if (!current) throw new ApiError(ErrorCode.INTERNAL, 'Virtual machine does not have context, cannot add a new one.', vm.oid);
  const next: Vector = append ? new Map(current) : new Map();
  for (const [k, v] of given) if (k !== 'TARGET' && k !== 'DISK_ID') next.set(k, v);
  for (const k of ['TARGET', 'DISK_ID']) if (current.has(k)) next.set(k, current.get(k)!);
  const changed = next.size !== current.size || [...next].some(([k, v]) => current.get(k) !== v);
  t.set('CONTEXT', next);
  return changed;
}

async function updateconf(req: Request, vm: VirtualMachine, t: Template, append: boolean): Promise<number> {
  const allowed = vm.state === VmState.ACTIVE ? LCM_STATES.has(vm.lcmState) : STATES.has(vm.state);
  if (!allowed) throw new ApiError(ErrorCode.INTERNAL, `configuration cannot be updated in state ${displayState(vm.state, vm.lcmState)}`, vm.oid);
  const conf = updateconfTemplate(t);
  checkRestrictedSet(req, 'VM', conf, 'Template', vm.oid);
  const tx = req.transaction();
  tx.touch(req.core.vms, vm);
  let contextChanged: boolean;
  try {
    contextChanged = apply(vm, conf, append);
  } catch (err) {
    tx.rollback();
    throw err;
  }
  if (contextChanged) resolveContext(vm, req.core.users.get(vm.owner.uid)?.template);
  encryptAttributes(req, 'VM', vm.template);
  const live = contextChanged && vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING;
  if (live) {
    // The context CD is made again and swapped in the running VM (VMM UPDATECONF).
    vm.resched = 0;
    req.core.lcm.enter(tx, vm, VmState.ACTIVE, LcmState.HOTPLUG);
  }
  await tx.commit();
  req.core.vmLogs.write(vm.oid, 'ReM', 'I', `Configuration updated (${[...conf.attributes()].map((a) => a.name).join(', ') || 'nothing'})${live ? ': the new context goes to the running VM' : ''}`);
  return vm.oid;
}

export const vmUpdateconfMethods: MethodDef[] = [
  method({
    name: 'one.vm.updateconf',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const t = parseTemplate(text, ErrorCode.INTERNAL, undefined, oid);
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      return updateconf(req, vm, t, type === 1);
    },
  }),
];

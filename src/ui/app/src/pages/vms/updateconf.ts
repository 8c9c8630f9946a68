/**
 * The Update configuration dialog's model: the VM's OS, FEATURES, INPUT, GRAPHICS, RAW and
 * CONTEXT as form values, their checks, and the template one.vm.updateconf takes.
 *
 * The dialog sends the whole configuration with type 0 (replace): merge (type 1) cannot take a
 * value away, and replace drops every section left out. So the sections the dialog does not
 * show (VIDEO, CPU_MODEL, BACKUP_CONFIG) and the keys it does not show go back as they were.
 */
import type { Tree } from '../../api';
import { vectorText } from '../templates/template-text';

/** The sections updateconf changes and their keys (oned's UPDATECONF_ATTRS, as OpenNebula 7.4's). */
export const UPDATECONF_KEYS: Record<string, readonly string[]> = {
  OS: ['ARCH', 'MACHINE', 'KERNEL', 'INITRD', 'BOOTLOADER', 'BOOT', 'KERNEL_CMD', 'ROOT', 'SD_DISK_BUS', 'UUID', 'FIRMWARE'],
  FEATURES: ['PAE', 'ACPI', 'APIC', 'LOCALTIME', 'HYPERV', 'GUEST_AGENT', 'VIRTIO_SCSI_QUEUES', 'VIRTIO_BLK_QUEUES', 'IOTHREADS'],
  INPUT: ['TYPE', 'BUS'],
  GRAPHICS: ['TYPE', 'LISTEN', 'PASSWD', 'KEYMAP', 'COMMAND'],
  VIDEO: ['IOMMU', 'ATS', 'TYPE', 'VRAM', 'RESOLUTION'],
  RAW: ['TYPE', 'DATA', 'VALIDATE', 'DATA_VMX'],
  CPU_MODEL: ['MODEL'],
  BACKUP_CONFIG: ['FS_FREEZE', 'KEEP_LAST', 'BACKUP_VOLATILE', 'INCREMENT_MODE', 'MODE'],
};

/** CONTEXT keys oned keeps itself (the context disk's place). */
const CONTEXT_OWN = ['TARGET', 'DISK_ID'];

export interface ConfValues {
  /** Section → key → value ('' leaves the key out). */
  sections: Record<string, Record<string, string>>;
  context: { key: string; value: string }[];
  /** Whether the VM has a CONTEXT section (oned adds none with updateconf). */
  hasContext: boolean;
}

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** The VM's configuration as the dialog's values. */
export function confValues(vm: Tree): ConfValues {
  const t = (vm.TEMPLATE ?? {}) as Record<string, Tree>;
  const sections: Record<string, Record<string, string>> = {};
  for (const [name, keys] of Object.entries(UPDATECONF_KEYS)) {
    const current = (Array.isArray(t[name]) ? t[name][0] : t[name]) as Record<string, unknown> | undefined;
    sections[name] = Object.fromEntries(keys.map((k) => [k, text(current?.[k])]));
  }
  const ctx = t.CONTEXT as Record<string, unknown> | undefined;
  const context = ctx && typeof ctx === 'object' ? Object.entries(ctx).filter(([k]) => !CONTEXT_OWN.includes(k)).map(([key, value]) => ({ key, value: text(value) })) : [];
  return { sections, context, hasContext: !!ctx && typeof ctx === 'object' };
}

/** The updateconf template of the values: every section with a value, CONTEXT when it has keys. */
export function confTemplate(v: ConfValues): string {
  const out: string[] = [];
  for (const [name, fields] of Object.entries(v.sections)) {
    if (Object.values(fields).some((x) => x.trim() !== '')) out.push(vectorText(name, Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, x.trim()]))));
  }
  const context = v.context.filter((c) => c.key.trim() !== '');
  if (context.length) out.push(vectorText('CONTEXT', Object.fromEntries(context.map((c) => [c.key.trim().toUpperCase(), c.value]))));
  return out.join('\n');
}

const BOOT = /^(disk|nic)\d+(,(disk|nic)\d+)*$/;
const QUEUES = /^([1-9]\d*|auto)$/;

/** What is wrong with the values (the first thing), or undefined. */
export function confError(v: ConfValues): string | undefined {
  const s = v.sections;
  const boot = s.OS?.BOOT?.trim() ?? '';
  if (boot && !BOOT.test(boot.replace(/\s+/g, ''))) return 'Boot order is a comma-separated list of disk<N> and nic<N>, e.g. disk0,nic0';
  for (const k of ['VIRTIO_SCSI_QUEUES', 'VIRTIO_BLK_QUEUES']) {
    const q = s.FEATURES?.[k]?.trim() ?? '';
    if (q && !QUEUES.test(q)) return `${k} is a whole number of queues, or auto`;
  }
  const io = s.FEATURES?.IOTHREADS?.trim() ?? '';
  if (io && !/^\d+$/.test(io)) return 'IOTHREADS is a whole number';
  const g = s.GRAPHICS ?? {};
  const graphicsSet = ['LISTEN', 'PASSWD', 'KEYMAP'].some((k) => (g[k] ?? '').trim() !== '');
  if (graphicsSet && !(g.TYPE ?? '').trim()) return 'Choose the graphics type (VNC or SPICE) for its listen address, password or keymap';
  const listen = (g.LISTEN ?? '').trim();
  if (listen && !/^[A-Za-z0-9.:_-]+$/.test(listen)) return `Graphics listen address "${listen}" is not an IP address or host name`;
  const keymap = (g.KEYMAP ?? '').trim();
  if (keymap && !/^[a-z]{2}(-[a-z]{2,})?$/i.test(keymap)) return `Keymap "${keymap}" is not a keymap name such as en-us or de`;
  if ((s.RAW?.DATA ?? '').trim() && !(s.RAW?.TYPE ?? '').trim()) return 'RAW data needs its hypervisor type (kvm)';
  const keys = new Set<string>();
  for (const c of v.context) {
    const k = c.key.trim().toUpperCase();
    if (k === '' && c.value === '') continue;
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) return `Context key "${c.key}" must be letters, digits and _ (not starting with a digit)`;
    if (CONTEXT_OWN.includes(k)) return `Context key ${k} is oned's own (the context disk's place)`;
    if (keys.has(k)) return `Context key ${k} is given twice`;
    keys.add(k);
  }
  return undefined;
}

const RUNNING = 3;
/** VM states whose configuration oned lets change (PENDING, HOLD, POWEROFF, UNDEPLOYED, CLONING, CLONING_FAILURE). */
const STATES = [1, 2, 8, 9, 10, 11];
/** LCM states of an ACTIVE VM oned takes (OpenNebula's numbers): RUNNING, and the prolog, epilog, shutdown and failure states around a power cycle. oned decides in the end. */
const LCM_STATES = [0, 1, 3, 11, 12, 15, 18, 23, 27, 29, 30, 31, 33, 34, 36, 39, 40, 42, 43, 44, 47, 50, 51, 52, 53];

/** Why updateconf is not possible in the VM's state, or undefined when it is. */
export function confRefusal(state: number, lcm: number): string | undefined {
  const ok = state === 3 ? LCM_STATES.includes(lcm) : STATES.includes(state);
  return ok ? undefined : 'The configuration changes while the VM is pending, on hold, powered off, undeployed or running';
}

/** Whether a change reaches the VM now: only its CONTEXT, and only while RUNNING. */
export const liveContext = (state: number, lcm: number) => state === 3 && lcm === RUNNING;

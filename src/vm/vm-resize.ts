/**
 * CPU / VCPU / MEMORY resize of a VM (`one.vm.resize`): reading the requested values, what they
 * change of the VM's quota and host share, and the `RESIZE = [ CPU, VCPU, MEMORY ]` vector a hot
 * resize keeps of the old values until the driver answers (a failure puts them back).
 */
import type { Template } from '../common/template/index.js';
import type { QuotaUsage } from '../auth/quotas.js';

/** The sizes of a VM: CPU (float), VCPU (0 when the VM has none), MEMORY (MB). */
export interface VmSize {
  readonly cpu: number;
  readonly vcpu: number;
  readonly memory: number;
}

/** A requested value that is not a number, or negative; the message is OpenNebula's. */
export class ResizeValueError extends Error {}

const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? 0 : Number(v));

/** The VM's current sizes. */
export function sizeOf(template: Template): VmSize {
  return { cpu: num(template.get('CPU')), vcpu: num(template.get('VCPU')), memory: num(template.get('MEMORY')) };
}

/**
 * The sizes `request` asks for; an attribute left out, or 0, keeps the current value (as
 * OpenNebula). @throws ResizeValueError for a negative or non-numeric value, naming it.
 */
export function requestedSize(request: Template, current: VmSize): VmSize {
  const read = (name: 'CPU' | 'VCPU' | 'MEMORY', integer: boolean): number => {
    const v = request.get(name);
    if (v === undefined || v.trim() === '') return 0;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
      throw new ResizeValueError(`${name} must be a positive ${integer ? 'integer' : 'float or integer'} value, not "${v}".`);
    }
    return n;
  };
  const cpu = read('CPU', false);
  const vcpu = read('VCPU', true);
  const memory = read('MEMORY', true);
  return { cpu: cpu || current.cpu, vcpu: vcpu || current.vcpu, memory: memory || current.memory };
}

/** What a host accounts for a size: CPU × 100 and MEMORY (MB) × 1024 (KB). */
export function hostCapacity(s: VmSize): { cpu: number; mem: number } {
  return { cpu: Math.round(s.cpu * 100), mem: Math.round(s.memory * 1024) };
}

/** The VM quota change from `from` to `to` (VMS unchanged). */
export function resizeQuotaDelta(from: VmSize, to: VmSize): QuotaUsage[] {
  const cpu = Math.round((to.cpu - from.cpu) * 1e6) / 1e6;
  const memory = to.memory - from.memory;
  if (cpu === 0 && memory === 0) return [];
  return [{ kind: 'VM', amounts: { CPU: cpu, MEMORY: memory } }];
}

/** Writes the sizes into the VM's TEMPLATE (VCPU only when there is one). */
export function setSize(template: Template, s: VmSize): void {
  template.set('CPU', String(s.cpu));
  template.set('MEMORY', String(s.memory));
  if (s.vcpu > 0) template.set('VCPU', String(s.vcpu));
  else template.remove('VCPU');
}

/** Keeps the old sizes in `RESIZE` while a hot resize runs. */
export function storeResize(template: Template, old: VmSize): void {
  template.remove('RESIZE');
  const v = new Map([['CPU', String(old.cpu)], ['MEMORY', String(old.memory)]]);
  if (old.vcpu > 0) v.set('VCPU', String(old.vcpu));
  template.add('RESIZE', v);
}

/** The old sizes a hot resize kept, removing `RESIZE`; undefined when there is none. */
export function takeResize(template: Template): VmSize | undefined {
  const v = template.getVector('RESIZE');
  template.remove('RESIZE');
  if (!v) return undefined;
  return { cpu: num(v.get('CPU')), vcpu: num(v.get('VCPU')), memory: num(v.get('MEMORY')) };
}

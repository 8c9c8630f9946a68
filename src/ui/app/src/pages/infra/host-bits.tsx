/** Pieces the host pages share: the state badge, the allocation cell, a template as text. */
import { HOST_STATES, HOST_STATE_SHORT } from '../../states';
import { cpu, kb } from '../dashboard/UsageBar';

/** The create form's driver choices until oned's configuration answers (dummy drives nothing: tests and demos). */
export const IM_MADS = ['kvm', 'dummy'];
export const VM_MADS = ['kvm', 'qemu', 'dummy'];

export function hostTone(state: number): 'ok' | 'busy' | 'off' | 'bad' {
  if (state === 2) return 'ok';
  if (state === 3 || state === 5) return 'bad';
  if (state === 4 || state === 7 || state === 8) return 'off';
  return 'busy';
}

/** The short state as `onehost list` shows it, the long name in its title. */
export function HostState({ state }: { state: number }) {
  return (
    <span className={`state ${hostTone(state)}`} title={HOST_STATES[state]}>
      {HOST_STATE_SHORT[state] ?? String(state)}
    </span>
  );
}

export function allocation(used: number, max: number, format: (n: number) => string): string {
  const pct = max > 0 ? ` (${Math.round((used / max) * 100)}%)` : '';
  return `${format(used)} / ${format(max)}${pct}`;
}
export const cpuAlloc = (used: number, max: number) => allocation(used, max, cpu);
export const memAlloc = (used: number, max: number) => allocation(used, max, kb);

/** An object's TEMPLATE as `KEY = "value"` lines (nested vectors as KEY = [ ... ]). */
export function templateText(t: unknown, indent = ''): string {
  if (!t || typeof t !== 'object') return '';
  const lines: string[] = [];
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item && typeof item === 'object') {
        const inner = Object.entries(item as Record<string, unknown>).map(([ik, iv]) => `${indent}  ${ik} = ${JSON.stringify(String(iv))}`);
        lines.push(`${indent}${k} = [\n${inner.join(',\n')} ]`);
      } else lines.push(`${indent}${k} = ${JSON.stringify(String(item ?? ''))}`);
    }
  }
  return lines.join('\n');
}

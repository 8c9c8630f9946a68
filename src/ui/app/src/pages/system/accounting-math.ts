/**
 * Usage from one.vmpool.accounting's history records: each record is a stretch of a VM on a
 * host; the part of it inside the asked range, times the VM's CPU and memory, is CPU-hours and
 * memory GB-hours (what oneacct sums).
 */
import { asArray, type Tree } from '../../api';

export interface Usage {
  key: string;
  label: string;
  /** Owner of the VM (per-VM rows) or the user (per-user rows). */
  user: string;
  hours: number;
  cpuHours: number;
  memGbHours: number;
  records: number;
}

export function usage(result: Tree, from: number, to: number, by: 'user' | 'vm', now = Date.now() / 1000): Usage[] {
  const out = new Map<string, Usage>();
  for (const h of asArray<Tree>(result?.HISTORY_RECORDS?.HISTORY)) {
    const stime = Number(h.STIME ?? 0);
    const etime = Number(h.ETIME ?? 0) || now;
    const seconds = Math.max(0, Math.min(etime, to) - Math.max(stime, from));
    const vm = h.VM ?? {};
    const cpu = Number(vm.TEMPLATE?.CPU ?? 0);
    const mem = Number(vm.TEMPLATE?.MEMORY ?? 0);
    const user = String(vm.UNAME ?? h.UID ?? '');
    const key = by === 'user' ? user : String(h.OID);
    const u = out.get(key) ?? { key, label: by === 'user' ? user : `VM ${h.OID}: ${vm.NAME ?? ''}`, user, hours: 0, cpuHours: 0, memGbHours: 0, records: 0 };
    u.hours += seconds / 3600;
    u.cpuHours += (cpu * seconds) / 3600;
    u.memGbHours += (mem / 1024) * (seconds / 3600);
    u.records++;
    out.set(key, u);
  }
  return [...out.values()].sort((a, b) => b.cpuHours - a.cpuHours || a.key.localeCompare(b.key));
}

/** A date input's value (local midnight) as seconds; the end date counts to its end of day. */
export function dayStart(value: string): number {
  return Math.floor(new Date(`${value}T00:00:00`).getTime() / 1000);
}

export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

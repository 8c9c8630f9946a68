/**
 * A Ganglia host's metrics as OpenNebula's monitoring attributes, as 3.x's ganglia probe mapped
 * them, with this project's meanings (those of the kvm probes, docs/hosts.md):
 *
 * | attribute | from gmond's metrics |
 * |---|---|
 * | HOSTNAME, ARCH | the HOST's NAME, `machine_type` |
 * | TOTALCPU | `cpu_num` × 100 |
 * | CPUSPEED | `cpu_speed` (MHz) |
 * | FREECPU, USEDCPU | `cpu_idle` (%) of TOTALCPU, and the rest |
 * | TOTALMEMORY | `mem_total` (KB) |
 * | FREEMEMORY, USEDMEMORY | `mem_free` + `mem_buffers` + `mem_cached` (KB), and the rest |
 * | NETRX, NETTX | byte counters: `bytes_in`/`bytes_out` (bytes/s) summed over the time between rounds |
 * | `<X>` | a metric `OPENNEBULA_<X>` the host publishes with gmetric (`OPENNEBULA_HYPERVISOR=kvm`) |
 */
import { Template } from '../../common/template/index.js';
import type { GangliaHost } from './gmond-xml.js';
import { VMS_METRIC, vmsInformation } from './vms-info.js';

/** Byte counters kept between rounds, per host (Ganglia reports rates). */
export interface NetCounters {
  rx: number;
  tx: number;
  /** Epoch ms of the round that last added to them. */
  at: number;
}

export type HostReport = { readonly ok: true; readonly text: string; readonly warning?: string } | { readonly ok: false; readonly error: string };

function metricNumber(host: GangliaHost, name: string): number | undefined {
  const m = host.metrics.get(name);
  if (!m) return undefined;
  const n = Number(m.val);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The monitoring template of `host` at `now` (epoch ms); `net` holds its counters across rounds
 * (updated here). A host Ganglia has not heard from for over 4 × TMAX (Ganglia's own rule for a
 * host that is down) or without `cpu_num`/`mem_total` is an error.
 */
export function hostReport(host: GangliaHost, now: number, net: NetCounters | undefined): HostReport {
  if (host.tmax > 0 && host.tn > 4 * host.tmax) {
    return { ok: false, error: `Ganglia last heard from host ${host.name} ${host.tn} s ago (expected every ${host.tmax} s): is its gmond running?` };
  }
  const cpus = metricNumber(host, 'cpu_num');
  const total = metricNumber(host, 'mem_total');
  const missing = [cpus === undefined ? 'cpu_num' : '', total === undefined ? 'mem_total' : ''].filter((m) => m !== '');
  if (missing.length > 0) return { ok: false, error: `Ganglia has no ${missing.join(' and ')} for host ${host.name} (gmond's cpu and mem modules must be loaded)` };

  const t = new Template();
  t.set('HOSTNAME', host.name);
  const arch = host.metrics.get('machine_type')?.val;
  if (arch) t.set('ARCH', arch);
  const totalCpu = Math.round(cpus! * 100);
  t.set('TOTALCPU', String(totalCpu));
  const speed = metricNumber(host, 'cpu_speed');
  if (speed !== undefined) t.set('CPUSPEED', String(Math.round(speed)));
  const idle = metricNumber(host, 'cpu_idle');
  if (idle !== undefined) {
    const free = Math.min(totalCpu, Math.max(0, Math.round((idle * totalCpu) / 100)));
    t.set('FREECPU', String(free));
    t.set('USEDCPU', String(totalCpu - free));
  }
  const totalMem = Math.round(total!);
  t.set('TOTALMEMORY', String(totalMem));
  const freeParts = ['mem_free', 'mem_buffers', 'mem_cached'].map((m) => metricNumber(host, m));
  if (freeParts[0] !== undefined) {
    const free = Math.min(totalMem, Math.round(freeParts.reduce<number>((s, v) => s + (v ?? 0), 0)));
    t.set('FREEMEMORY', String(free));
    t.set('USEDMEMORY', String(totalMem - free));
  }
  if (net) {
    const rin = metricNumber(host, 'bytes_in');
    const rout = metricNumber(host, 'bytes_out');
    const seconds = net.at > 0 ? Math.max(0, (now - net.at) / 1000) : 0;
    if (rin !== undefined) net.rx += rin * seconds;
    if (rout !== undefined) net.tx += rout * seconds;
    net.at = now;
    if (rin !== undefined || rout !== undefined) {
      t.set('NETRX', String(Math.round(net.rx)));
      t.set('NETTX', String(Math.round(net.tx)));
    }
  }
  for (const [name, m] of host.metrics) {
    const own = /^OPENNEBULA_([A-Z][A-Z0-9_]*)$/.exec(name);
    if (!own || name === VMS_METRIC || name.startsWith(`${VMS_METRIC}_`)) continue;
    t.set(own[1]!, m.val);
  }
  const vms = vmsInformation(host);
  let warning: string | undefined;
  if (vms.kind === 'vms') {
    t.set('VM_POLL', 'YES');
    for (const vm of vms.vms) t.add('VM', vm);
  } else if (vms.kind === 'unusable') {
    warning = `VMs of host ${host.name} not reported this round: ${vms.reason}`;
  }
  return warning ? { ok: true, text: t.toText(), warning } : { ok: true, text: t.toText() };
}

/**
 * The VMs a host publishes in Ganglia, as OpenNebula 3.x's ganglia drivers read them: a string
 * metric `OPENNEBULA_VMS_INFORMATION` pushed with `gmetric` from the host (a cron job), holding
 * base64 text. Accepted forms of that text:
 *
 * - a monitoring template of `VM = [ ID, DEPLOY_ID, POLL ]` vectors, what remotes/im/kvm-probes.d/poll.sh
 *   prints (what remotes/im/ganglia/gmetric_vms.sh publishes), optionally gzipped;
 * - OpenNebula 3.x's YAML: a map of domain name to `:state`, `:usedcpu`, `:usedmemory`,
 *   `:netrx`, `:nettx`.
 *
 * A Ganglia string value holds under 1,000 bytes, so a long one is split by the publisher into
 * parts `<stamp>:<i>/<n>:<data>`, part 1 in OPENNEBULA_VMS_INFORMATION and part i in
 * OPENNEBULA_VMS_INFORMATION_<i>; the parts are used together only when they carry one stamp.
 */
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { Template, type Vector } from '../../common/template/index.js';
import type { GangliaHost } from './gmond-xml.js';

export const VMS_METRIC = 'OPENNEBULA_VMS_INFORMATION';

/** Longest decoded text accepted (a host of thousands of VMs stays far below). */
const MAX_TEXT = 16 << 20;

const PART = /^([A-Za-z0-9_-]{1,40}):(\d{1,4})\/(\d{1,4}):([A-Za-z0-9+/=\s]*)$/;

export type VmsInformation =
  /** No metric: the host publishes no VMs (the report does not claim to list them). */
  | { readonly kind: 'none' }
  /** The VM vectors, to report after VM_POLL=YES. */
  | { readonly kind: 'vms'; readonly vms: Vector[] }
  /** A metric that cannot be used this round, and why. */
  | { readonly kind: 'unusable'; readonly reason: string };

/** The base64 payload of the metric (its parts joined), or why there is none usable. */
function payload(host: GangliaHost): string | { reason: string } {
  const cut = [...host.metrics.keys()].find((k) => (k === VMS_METRIC || k.startsWith(`${VMS_METRIC}_`)) && host.metrics.get(k)!.truncated);
  if (cut) return { reason: `gmond cut ${cut} (a value of over ~850 characters): publish it with gmetric_vms.sh, which sends parts` };
  const first = host.metrics.get(VMS_METRIC)!.val.trim();
  const m = PART.exec(first);
  if (!m) return first;
  const [, stamp, , total] = m;
  const n = Number(total);
  if (m[2] !== '1' || n < 1) return { reason: `${VMS_METRIC} is part ${m[2]}/${total}, not the first part` };
  let data = m[4]!;
  for (let i = 2; i <= n; i++) {
    const part = PART.exec(host.metrics.get(`${VMS_METRIC}_${i}`)?.val.trim() ?? '');
    if (!part || part[1] !== stamp || Number(part[2]) !== i || part[3] !== total) {
      return { reason: `part ${i}/${n} of ${VMS_METRIC} (stamp ${stamp}) is missing or from another publication` };
    }
    data += part[4];
  }
  return data;
}

/** 3.x's YAML map of domains to VM vectors. */
function fromYaml(text: string): Vector[] {
  const doc: unknown = parseYaml(text, { maxAliasCount: 0 });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the YAML is not a map of domains');
  const vms: Vector[] = [];
  for (const [name, info] of Object.entries(doc as Record<string, unknown>)) {
    const poll: string[] = [];
    if (info && typeof info === 'object' && !Array.isArray(info)) {
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        const key = k.replace(/^:/, '').toUpperCase();
        if (key === 'NAME' || !/^[A-Z_]+$/.test(key) || (typeof v !== 'string' && typeof v !== 'number')) continue;
        const value = String(v).replace(/[\s"]/g, '');
        poll.push(`${key === 'USEDCPU' ? 'CPU' : key === 'USEDMEMORY' ? 'MEMORY' : key}=${value}`);
      }
    }
    const id = /^one-(\d+)$/.exec(name)?.[1] ?? (/^\d+$/.test(name) ? name : '-1');
    vms.push(new Map([['ID', id], ['DEPLOY_ID', /^\d+$/.test(name) ? `one-${name}` : name], ['POLL', poll.join(' ')]]));
  }
  return vms;
}

/** What the host's OPENNEBULA_VMS_INFORMATION says, if it has one. */
export function vmsInformation(host: GangliaHost): VmsInformation {
  const metric = host.metrics.get(VMS_METRIC);
  if (!metric) return { kind: 'none' };
  // Ganglia's own rule for a value it no longer gets: the publisher (a cron job) stopped.
  if (metric.tmax > 0 && metric.tn > 4 * metric.tmax) {
    return { kind: 'unusable', reason: `${VMS_METRIC} was last published ${metric.tn} s ago (expected every ${metric.tmax} s)` };
  }
  const data = payload(host);
  if (typeof data !== 'string') return { kind: 'unusable', reason: data.reason };
  let bytes = Buffer.from(data.replace(/\s+/g, ''), 'base64');
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes, { maxOutputLength: MAX_TEXT });
    const text = bytes.toString('utf8');
    if (text.trim() === '') return { kind: 'vms', vms: [] };
    if (/^\s*---/.test(text) || /^[^=\n]*:/.test(text.trimStart())) return { kind: 'vms', vms: fromYaml(text) };
    const t = Template.parse(text);
    return { kind: 'vms', vms: t.getAll('VM').flatMap((a) => (typeof a.value === 'string' ? [] : [a.value])) };
  } catch (err) {
    return { kind: 'unusable', reason: `${VMS_METRIC} is not base64 of a VM list: ${(err as Error).message}` };
  }
}

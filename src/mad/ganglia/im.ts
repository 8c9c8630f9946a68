/**
 * The ganglia information driver (`one_im_ganglia`): `MONITOR <host_id> <hostname> ...` reads
 * the Ganglia XML of the gmond (or gmetad) given with `-g`, or of the monitored host itself, finds
 * the host there (by name or IP) and answers its monitoring template, base64-encoded: capacity
 * and use from gmond's metrics, and the VMs the host publishes in OPENNEBULA_VMS_INFORMATION
 * (host-template.ts). No ssh, nothing run on the host. `STOPMONITOR` succeeds.
 */
import type { ActionHandler } from '../server/driver-server.js';
import { hostReport, type NetCounters } from './host-template.js';
import { DumpCache, type Endpoint } from './source.js';

export const GMOND_PORT = 8649;

export interface GangliaImConfig {
  /** gmond/gmetad to ask; undefined: each host's own gmond. */
  readonly server?: string;
  readonly port: number;
  readonly cache: DumpCache;
}

/** Host names oned sends are names or addresses; refuse anything else before connecting. */
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?$/;

/** `-g host[:port]` → its endpoint (port 8649 when absent). @throws on a bad value */
export function parseEndpoint(text: string, defaultPort = GMOND_PORT): Endpoint {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (!m || !(port >= 1 && port <= 65535)) throw new Error(`-g expects HOST[:PORT], got '${text}'`);
  return { host: (m[1] ?? m[2])!, port };
}

export function gangliaImActions(config: GangliaImConfig): Map<string, ActionHandler> {
  const net = new Map<string, NetCounters>();
  return new Map<string, ActionHandler>([
    [
      'MONITOR',
      async (req, ctx) => {
        const hostname = req.args[0];
        if (!hostname || !HOSTNAME.test(hostname)) return { ok: false, info: `MONITOR needs a host name, got '${hostname ?? ''}'` };
        const ep: Endpoint = { host: config.server ?? hostname, port: config.port };
        let dump;
        try {
          dump = await config.cache.get(ep);
        } catch (err) {
          return { ok: false, info: (err as Error).message };
        }
        if (ctx.signal.aborted) return null;
        const host = dump.find(hostname);
        if (!host) {
          const known = dump.names.slice(0, 5).join(', ');
          return {
            ok: false,
            info: `Host ${hostname} is not in the Ganglia XML of ${ep.host}:${ep.port} (${dump.size} hosts${known ? `: ${known}${dump.size > 5 ? ', ...' : ''}` : ''}): the host must have the name or IP gmond reports`,
          };
        }
        let counters = net.get(hostname);
        if (!counters) net.set(hostname, (counters = { rx: 0, tx: 0, at: 0 }));
        const r = hostReport(host, Date.now(), counters);
        if (!r.ok) return { ok: false, info: r.error };
        if (r.warning) ctx.log('W', r.warning);
        return { ok: true, info: Buffer.from(r.text).toString('base64') };
      },
    ],
    ['STOPMONITOR', () => ({ ok: true })],
  ]);
}

/**
 * Information manager runner (`one_im_exec <driver>`), pull style as in OpenNebula 3.x/4.x:
 * `MONITOR <host_id> <hostname> [<ds_location>] [<update_remotes 0|1>]` runs
 * `remotes/im/run_probes <driver> <ds_location> <host_id> <hostname>` on the host (on the
 * front-end with `-l monitor`), which runs every probe of `remotes/im/<driver>.d/` and
 * concatenates their output. The reply carries that monitoring template base64-encoded:
 * `MONITOR SUCCESS <host_id> <base64>`. `update_remotes=1` copies the remotes first
 * (`onehost sync`). `STOPMONITOR` succeeds.
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptRunner } from './script-runner.js';

export interface ImConfig {
  readonly driver: string;
  readonly runner: ScriptRunner;
  readonly local: ReadonlyMap<string, string | undefined>;
}

export const RUN_PROBES = 'im/run_probes';

/** Action table of `one_im_exec <driver>`. */
export function imActions(config: ImConfig): Map<string, ActionHandler> {
  const local = config.local.has('MONITOR');
  return new Map<string, ActionHandler>([
    [
      'MONITOR',
      async (req, ctx) => {
        const [hostname, ...rest] = req.args;
        if (!hostname) return { ok: false, info: 'MONITOR needs a host name' };
        // 3.x sends `<update>` alone after the host name, 4.x `<ds_location> <update>`.
        const update = rest[rest.length - 1] === '1';
        const dsLocation = rest.length >= 2 ? rest[0]! : '-';
        if (update && !local) {
          const s = await config.runner.sync(hostname, ctx);
          if (!s.ok) return { ok: false, info: s.info };
        }
        const r = await config.runner.run(
          {
            script: RUN_PROBES,
            args: [config.driver, dsLocation, String(req.id), hostname],
            host: local ? undefined : hostname,
          },
          ctx,
        );
        return r.ok ? { ok: true, info: Buffer.from(r.stdout).toString('base64') } : { ok: false, info: r.info };
      },
    ],
    ['STOPMONITOR', () => ({ ok: true })],
  ]);
}

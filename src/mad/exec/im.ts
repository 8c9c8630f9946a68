/**
 * Information manager runner (`one_im_exec <driver>`), pull style as in OpenNebula 3.x/4.x:
 * `MONITOR <host_id> <hostname> [<ds_location>] [<update_remotes 0|1>]` runs
 * `remotes/im/run_probes <driver> <ds_location> <host_id> <hostname>` on the host (on the
 * front-end with `-l monitor`), which runs every probe of `remotes/im/<driver>.d/` and
 * concatenates their output. The reply carries that monitoring template base64-encoded:
 * `MONITOR SUCCESS <host_id> <base64>`. `update_remotes=1` copies the remotes first; a driver
 * whose probes include `version.sh` also copies them when the VERSION the host reports is not
 * the front-end's (see remotes-version.ts), then probes again. `STOPMONITOR` succeeds.
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptRunner } from './script-runner.js';

export interface ImConfig {
  readonly driver: string;
  readonly runner: ScriptRunner;
  readonly local: ReadonlyMap<string, string | undefined>;
}

export const RUN_PROBES = 'im/run_probes';

/** The probe that reports the host's remotes VERSION; drivers that have it keep hosts current. */
const VERSION_PROBE = 'version.sh';

/** The VERSION a probe run reported ('' when none). */
function reportedVersion(output: string): string {
  return /^VERSION="?([^"\n]*)"?$/m.exec(output)?.[1] ?? '';
}

/** Action table of `one_im_exec <driver>`. */
export function imActions(config: ImConfig): Map<string, ActionHandler> {
  const local = config.local.has('MONITOR');
  const checksVersion = !local && config.runner.has(`im/${config.driver}.d/${VERSION_PROBE}`);
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
        const probe = () =>
          config.runner.run({ script: RUN_PROBES, args: [config.driver, dsLocation, String(req.id), hostname], host: local ? undefined : hostname }, ctx);
        let r = await probe();
        // Remotes changed on the front-end since they were copied there: copy them again, once.
        if (r.ok && checksVersion) {
          const current = config.runner.remotesVersion();
          const found = reportedVersion(r.stdout);
          if (found !== current) {
            ctx.log('I', `Remotes on ${hostname} are ${found ? `version ${found}` : 'of no known version'}, the front-end has ${current}: updating remotes`);
            const s = await config.runner.sync(hostname, ctx);
            if (!s.ok) return { ok: false, info: s.info };
            r = await probe();
          }
        }
        return r.ok ? { ok: true, info: Buffer.from(r.stdout).toString('base64') } : { ok: false, info: r.info };
      },
    ],
    ['STOPMONITOR', () => ({ ok: true })],
  ]);
}

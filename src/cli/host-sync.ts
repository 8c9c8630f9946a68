/**
 * `onehost sync`: copies the front-end's remotes tree to hosts, from the front-end, as
 * OpenNebula's does, with the drivers' own copy (tar over key-based ssh, the version recorded
 * on the host). A host whose VERSION (reported by its probes, or set by an earlier sync) is
 * the tree's current version is skipped unless forced; hosts of the dummy IM have no remotes.
 * After a copy the host's template gets the new VERSION, so a second sync skips it at once.
 */
import { parseXmlTree, select } from '../common/xml-tree.js';
import { defaultRemotesDir } from '../mad/executable.js';
import { DEFAULT_SCRIPTS_REMOTE_DIR, REMOTES_DIR_ENV } from '../mad/exec/environment.js';
import { remotesVersion } from '../mad/exec/remotes-version.js';
import { RemoteHosts } from '../mad/exec/ssh.js';
import { UpdateMode, type Host } from '../oca/index.js';
import { CliError, type CliContext } from './command.js';

/** Hosts copied to at once (OpenNebula's NUM_THREADS). */
const PARALLEL = 15;

/** Longest a copy to one host may take. */
const COPY_TIMEOUT_MS = 120_000;

export interface SyncOptions {
  /** Host ids; empty: every host. */
  readonly ids: readonly number[];
  /** Only the hosts of this cluster id. */
  readonly cluster?: number;
  /** Copy even to hosts that report the current version. */
  readonly force: boolean;
}

export async function syncHosts(ctx: CliContext, o: SyncOptions): Promise<void> {
  const remotesDir = process.env[REMOTES_DIR_ENV] || defaultRemotesDir();
  let version: string;
  try {
    version = remotesVersion(remotesDir);
  } catch (err) {
    throw new CliError(`Cannot read the remotes at ${remotesDir} (run onehost sync on the front-end): ${(err as Error).message}`);
  }
  const config = parseXmlTree(await ctx.one.system.configXml());
  const remoteDir = select(config, 'SCRIPTS_REMOTE_DIR')[0]?.text || DEFAULT_SCRIPTS_REMOTE_DIR;
  const wanted = new Set(o.ids);
  const queue = (await ctx.one.hosts.list()).filter(
    (h: Host) =>
      (wanted.size === 0 || wanted.has(h.id)) &&
      (o.cluster === undefined || h.clusterId === o.cluster) &&
      h.imMad !== 'dummy' &&
      (o.force || h.get('TEMPLATE/VERSION') !== version),
  );
  if (queue.length === 0) {
    ctx.print('No hosts are going to be updated.');
    return;
  }
  const remote = new RemoteHosts(remotesDir, remoteDir);
  const failed: string[] = [];
  const worker = async () => {
    for (let h = queue.shift(); h; h = queue.shift()) {
      const r = await remote.sync(h.name, { timeoutMs: COPY_TIMEOUT_MS });
      if (r.code !== 0) {
        failed.push(`${h.name} (${r.stderr.trim() || (r.timedOut ? 'timed out' : `exit code ${r.code}`)})`);
        continue;
      }
      await ctx.one.hosts.update(h.id, `VERSION = "${version}"`, UpdateMode.MERGE);
      ctx.print(`* ${h.name}: remotes ${version} copied to ${remoteDir}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  if (failed.length > 0) throw new CliError(`Failed to update the following hosts: ${failed.join('; ')}`);
  ctx.print('All hosts updated successfully.');
}

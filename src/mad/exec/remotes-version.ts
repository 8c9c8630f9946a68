/**
 * The version of a remotes tree: a digest of every file's path, executable bit and content, so
 * any change (an upgrade, an admin editing a probe) is a new version without anyone bumping a
 * number. Each copy to a host writes it to `<SCRIPTS_REMOTE_DIR>/VERSION`; the kvm probes
 * report it back as the host's VERSION, which tells the IM driver and `onehost sync` whether a
 * host's copy is current.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The file holding a host copy's version, at the root of the copy. */
export const VERSION_FILE = 'VERSION';

/** Hex digits of the digest kept: plenty to tell two trees apart, short enough to read. */
const VERSION_LENGTH = 16;

/** How long a computed version is trusted before the tree is read again. */
const CACHE_MS = 2000;

/**
 * The version of the tree at `dir`. Dot files (probe state such as `.state/`) and a top-level
 * VERSION are not part of it: they are written on hosts, not shipped.
 */
export function remotesVersion(dir: string): string {
  const hash = createHash('sha256');
  addTree(hash, dir, '');
  return hash.digest('hex').slice(0, VERSION_LENGTH);
}

function addTree(hash: Hash, dir: string, rel: string): void {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || (rel === '' && e.name === VERSION_FILE)) continue;
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      addTree(hash, dir, path);
      continue;
    }
    const full = join(dir, path);
    const executable = (statSync(full).mode & 0o111) !== 0;
    hash.update(`${path}\0${executable ? 'x' : '-'}\0`);
    hash.update(readFileSync(full));
    hash.update('\0');
  }
}

/** remotesVersion of one tree, computed at most once every few seconds (asked at every MONITOR). */
export class CachedRemotesVersion {
  private value = '';
  private at = -Infinity;

  constructor(readonly dir: string) {}

  current(now = Date.now()): string {
    if (now - this.at >= CACHE_MS) {
      this.value = remotesVersion(this.dir);
      this.at = now;
    }
    return this.value;
  }
}

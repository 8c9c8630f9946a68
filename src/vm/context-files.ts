/**
 * CONTEXT `FILES`: blank-separated front-end paths copied onto the context CD-ROM next to
 * context.sh. Any user may write them in a template, so, as OpenNebula does with oned.conf's
 * CONTEXT_RESTRICTED_DIRS (default `/etc`) and CONTEXT_SAFE_DIRS (default none), a file inside a
 * restricted directory is refused unless it is inside a safe one. Paths are compared by their
 * real path (links followed, `..` resolved), so neither a link nor `/tmp/../etc/shadow` escapes;
 * the real path is what the TM driver copies.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { VirtualMachine } from './virtual-machine.js';
import { resolveVariables } from './context.js';

/** oned.conf CONTEXT_RESTRICTED_DIRS and CONTEXT_SAFE_DIRS, as directory lists. */
export interface ContextDirs {
  readonly restricted: readonly string[];
  readonly safe: readonly string[];
}

export const DEFAULT_CONTEXT_DIRS: ContextDirs = { restricted: ['/etc'], safe: [] };

/** `"/a /b"` (oned.conf value) → `['/a', '/b']`. */
export function dirList(value: string): string[] {
  return value.split(/\s+/).filter((d) => d !== '');
}

/** A FILES entry refused; the message is the VM's error. */
export class ContextFilesError extends Error {}

/**
 * The real paths of the VM's CONTEXT FILES (variables expanded), in order, each once.
 * @throws ContextFilesError for a relative, missing or restricted file.
 */
export function contextFiles(vm: VirtualMachine, dirs: ContextDirs): string[] {
  const value = vm.template.getVector('CONTEXT')?.get('FILES');
  if (value === undefined) return [];
  const out: string[] = [];
  for (const file of dirList(resolveVariables(value, vm))) {
    if (!isAbsolute(file)) throw new ContextFilesError(`CONTEXT/FILES cannot use ${file}: not an absolute path`);
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      throw new ContextFilesError(`CONTEXT/FILES cannot use ${file}: it does not exist on the front-end`);
    }
    // A TM argument is one word, and `host:/path` marks the destination.
    if (/[\s:]/.test(real)) throw new ContextFilesError(`CONTEXT/FILES cannot use ${file}: blanks and ':' are not allowed in its path`);
    if (isRestricted(real, dirs)) throw new ContextFilesError(`CONTEXT/FILES cannot use ${file}, it's in restricted directories`);
    if (!out.includes(real)) out.push(real);
  }
  return out;
}

function isRestricted(real: string, dirs: ContextDirs): boolean {
  const inside = (dir: string) => {
    let d: string;
    try {
      d = realpathSync(dir);
    } catch {
      d = dir;
    }
    return real === d || real.startsWith(d.endsWith('/') ? d : `${d}/`);
  };
  return !dirs.safe.some(inside) && dirs.restricted.some(inside);
}

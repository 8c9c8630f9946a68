/**
 * Where oned finds driver programs and their scripts.
 *
 * oned.conf names a driver by `EXECUTABLE` (`one_vmm_exec`, `one_im_dummy`, ...) and passes it
 * `ARGUMENTS`. A name is looked up as: an absolute path, as is; the compiled driver shipped in
 * this package (`dist/src/mad/bin/<name>.js`, run with this Node); `$ONE_LOCATION/lib/mads/<name>`;
 * `/usr/lib/one/mads/<name>` (a system-wide OpenNebula install, whose drivers speak the same
 * protocol).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PACKAGE_ROOT } from '../oned/location.js';
import { isShareableDriver } from './builtin/index.js';

/** A program and the arguments that come before the driver's own. */
export interface ResolvedExecutable {
  readonly command: string;
  readonly args: readonly string[];
  /** Set when `name` is a driver of this package that can run in a driver host (src/mad/host). */
  readonly builtin?: string;
}

export interface ResolveOptions {
  readonly oneLocation?: string;
  /** Root of this package (holding dist/ and remotes/). */
  readonly packageRoot?: string;
}

/** Directory of OpenNebula's system-wide driver programs. */
export const SYSTEM_MADS_DIR = '/usr/lib/one/mads';

/** The remotes tree shipped with the package: `<package root>/remotes`. */
export function defaultRemotesDir(packageRoot: string = PACKAGE_ROOT): string {
  return join(packageRoot, 'remotes');
}

/**
 * The command that runs driver `name`.
 * @throws Error when `name` is not a plain file name or an absolute path, or when no candidate
 * exists (the message lists the places looked at).
 */
export function resolveExecutable(name: string, options: ResolveOptions = {}): ResolvedExecutable {
  if (isAbsolute(name)) return { command: name, args: [] };
  if (name === '' || name.includes('/') || name.startsWith('.')) {
    throw new Error(`Driver executable '${name}' must be a file name or an absolute path`);
  }
  const packaged = join(options.packageRoot ?? PACKAGE_ROOT, 'dist', 'src', 'mad', 'bin', `${name}.js`);
  if (existsSync(packaged)) return { command: process.execPath, args: [packaged], ...(isShareableDriver(name) ? { builtin: name } : {}) };
  const candidates = [packaged];
  if (options.oneLocation) candidates.push(join(options.oneLocation, 'lib', 'mads', name));
  candidates.push(join(SYSTEM_MADS_DIR, name));
  for (const c of candidates.slice(1)) if (existsSync(c)) return { command: c, args: [] };
  throw new Error(`Driver executable '${name}' not found (looked for ${candidates.join(', ')})`);
}

/**
 * Splits oned.conf `ARGUMENTS` into argv: blanks separate words, single or double quotes group
 * them (`-l "deploy, poll"`), a backslash escapes the next character.
 * @throws Error on an unterminated quote.
 */
export function splitArguments(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`Unterminated ${quote} quote in driver arguments: ${text}`);
  if (inWord) out.push(word);
  return out;
}

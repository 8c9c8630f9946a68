/**
 * The storage drivers datastores may name: the `-d` lists in the ARGUMENTS of oned.conf's
 * DATASTORE_MAD and TM_MAD, as OpenNebula configures them, or a fixed set when it has none.
 */
import type { ConfigReader } from '../common/config.js';
import { splitArguments } from '../mad/index.js';

/** Drivers accepted when oned.conf has no `-d` list (no storage drivers run yet). */
export const DEFAULT_STORAGE_DRIVERS: readonly string[] = ['dummy', 'fs', 'shared', 'ssh', 'qcow2', 'rsync', 'restic'];

export interface StorageDrivers {
  /** DS_MAD names. */
  readonly ds: ReadonlySet<string>;
  /** TM_MAD names. */
  readonly tm: ReadonlySet<string>;
}

/** The names after `-d` in `ARGUMENTS` ("-t 15 -d dummy,fs,ssh"), or undefined without one. */
export function dashDList(args: string): string[] | undefined {
  return dashList(args, '-d');
}

/** The names after `flag` in `ARGUMENTS` (`-d` of datastores, `-m` of marketplaces), or undefined without one. */
export function dashList(args: string, flag: string): string[] | undefined {
  const words = splitArguments(args);
  const at = words.indexOf(flag);
  if (at < 0 || at + 1 >= words.length) return undefined;
  return words[at + 1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The DS_MAD and TM_MAD names oned.conf configures. */
export function storageDrivers(config: ConfigReader): StorageDrivers {
  const names = (section: string) => new Set(dashDList(config.vector(section).get('ARGUMENTS') ?? '') ?? DEFAULT_STORAGE_DRIVERS);
  return { ds: names('DATASTORE_MAD'), tm: names('TM_MAD') };
}

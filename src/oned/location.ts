/**
 * Where oned keeps its files. `ONE_LOCATION` names a self-contained directory (as in
 * OpenNebula's self-contained installs); without it, `var/` of this checkout is used.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (holding share/ and dist/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Location {
  readonly root: string;
  /** `$ONE_LOCATION/etc/oned.conf`: the site's settings over the defaults. */
  readonly onedConf: string;
  /** Shipped defaults. */
  readonly defaultConf: string;
  /** `$ONE_LOCATION/var`: database, logs, VM directories. */
  readonly varDir: string;
  readonly log: string;
  readonly pidFile: string;
  readonly sqliteFile: string;
  /** Where a generated oneadmin password is written. */
  readonly oneAuthFile: string;
}

export function locate(env: NodeJS.ProcessEnv = process.env): Location {
  const root = resolve(env.ONE_LOCATION || join(PACKAGE_ROOT, 'var'));
  const varDir = join(root, 'var');
  return {
    root,
    onedConf: join(root, 'etc', 'oned.conf'),
    defaultConf: join(PACKAGE_ROOT, 'share', 'etc', 'oned.conf'),
    varDir,
    log: join(varDir, 'oned.log'),
    pidFile: join(varDir, 'oned.pid'),
    sqliteFile: join(varDir, 'one.db'),
    oneAuthFile: join(root, '.one', 'one_auth'),
  };
}

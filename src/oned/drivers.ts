/**
 * The driver processes oned.conf configures (`IM_MAD = [ NAME, EXECUTABLE, ARGUMENTS ]`...):
 * each becomes a Driver, run with the remotes directory and the hosts' scripts directory in its
 * environment, its log lines and troubles going to oned's log.
 */
import type { Vector } from '../common/template/index.js';
import type { ConfigReader } from '../common/config.js';
import type { Logger } from '../common/log.js';
import {
  DEFAULT_SCRIPTS_REMOTE_DIR,
  Driver,
  REMOTES_DIR_ENV,
  SCRIPTS_REMOTE_DIR_ENV,
  defaultRemotesDir,
  resolveExecutable,
  splitArguments,
} from '../mad/index.js';

/** The NAMEs of a driver section (IM_MAD, VM_MAD...), as allocate calls may name them. */
export function driverNames(config: ConfigReader, section: string): Set<string> {
  const names = new Set<string>();
  for (const attr of config.template.getAll(section)) {
    if (typeof attr.value !== 'string') {
      const name = attr.value.get('NAME');
      if (name) names.add(name);
    }
  }
  return names;
}

/** Drivers of one section, by NAME, not started yet. */
export function configuredDrivers(config: ConfigReader, section: string, log: Logger, oneLocation: string): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  const env = driverEnv(config);
  for (const attr of config.template.getAll(section)) {
    const v = attr.value as Vector;
    const name = typeof v === 'string' ? undefined : v.get('NAME');
    if (!name) throw new Error(`${section} needs NAME and EXECUTABLE`);
    drivers.set(name, newDriver(section, name, v, env, log, oneLocation));
  }
  return drivers;
}

/**
 * The one driver of a section that has no NAME (DATASTORE_MAD, as OpenNebula configures it),
 * not started yet; undefined when oned.conf has none.
 */
export function singleDriver(config: ConfigReader, section: string, log: Logger, oneLocation: string): Driver | undefined {
  const v = config.vector(section);
  if (!v.get('EXECUTABLE')) return undefined;
  return newDriver(section, section.toLowerCase(), v, driverEnv(config), log, oneLocation);
}

function driverEnv(config: ConfigReader): NodeJS.ProcessEnv {
  return {
    ...process.env,
    [REMOTES_DIR_ENV]: defaultRemotesDir(),
    [SCRIPTS_REMOTE_DIR_ENV]: config.string('SCRIPTS_REMOTE_DIR', DEFAULT_SCRIPTS_REMOTE_DIR),
  };
}

function newDriver(section: string, name: string, v: Vector | string, env: NodeJS.ProcessEnv, log: Logger, oneLocation: string): Driver {
  const executable = typeof v === 'string' ? undefined : v.get('EXECUTABLE');
  if (typeof v === 'string' || !executable) throw new Error(`${section} needs NAME and EXECUTABLE`);
  const exe = resolveExecutable(executable, { oneLocation });
  const module = section.slice(0, 3);
  return new Driver({
    name,
    command: exe.command,
    args: [...exe.args, ...splitArguments(v.get('ARGUMENTS') ?? '')],
    env,
    onLog: (l) => log.debug(module, `${name} [${l.severity}] ${l.id}: ${l.text}`),
    onStderr: (line) => log.warn(module, `${name} (stderr): ${line}`),
    onEvent: (level, message) => log.log(module, level === 'error' ? 0 : level === 'warning' ? 1 : 2, `${name}: ${message}`),
  });
}

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

/**
 * Drivers of one section, by NAME, not started yet. Sections with one unnamed driver (TM_MAD)
 * give `defaultName`. A `TIMEOUT` (seconds) in the entry bounds each request to the driver.
 */
export function configuredDrivers(config: ConfigReader, section: string, log: Logger, oneLocation: string, defaultName?: string): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  const env = {
    ...process.env,
    [REMOTES_DIR_ENV]: defaultRemotesDir(),
    [SCRIPTS_REMOTE_DIR_ENV]: config.string('SCRIPTS_REMOTE_DIR', DEFAULT_SCRIPTS_REMOTE_DIR),
  };
  for (const attr of config.template.getAll(section)) {
    const v = attr.value as Vector;
    const name = typeof v === 'string' ? undefined : (v.get('NAME') ?? defaultName);
    const executable = typeof v === 'string' ? undefined : v.get('EXECUTABLE');
    if (!name || !executable) throw new Error(`${section} needs NAME and EXECUTABLE`);
    const exe = resolveExecutable(executable, { oneLocation });
    const module = section.slice(0, 3);
    const timeout = Number(v.get('TIMEOUT') ?? '');
    drivers.set(
      name,
      new Driver({
        name,
        command: exe.command,
        args: [...exe.args, ...splitArguments(v.get('ARGUMENTS') ?? '')],
        env,
        requestTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : undefined,
        onLog: (l) => log.debug(module, `${name} [${l.severity}] ${l.id}: ${l.text}`),
        onStderr: (line) => log.warn(module, `${name} (stderr): ${line}`),
        onEvent: (level, message) => log.log(module, level === 'error' ? 0 : level === 'warning' ? 1 : 2, `${name}: ${message}`),
      }),
    );
  }
  return drivers;
}

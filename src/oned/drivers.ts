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
  DriverHost,
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
 * Drivers of one section, by NAME, not started yet (`extraEnv` added to their environment). Those
 * `onDemand` names start on their first request instead of with oned (see startDrivers).
 */
export function configuredDrivers(
  config: ConfigReader,
  section: string,
  log: Logger,
  oneLocation: string,
  extraEnv: NodeJS.ProcessEnv = {},
  onDemand: (name: string) => boolean = () => false,
): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  for (const attr of config.template.getAll(section)) {
    const v = attr.value as Vector;
    const name = typeof v === 'string' ? undefined : v.get('NAME');
    if (!name) throw new Error(`${section} needs NAME and EXECUTABLE`);
    drivers.set(name, makeDriver(config, section, name, v, log, oneLocation, extraEnv, [], onDemand(name)));
  }
  return drivers;
}

/**
 * Starts the drivers that are not started on demand; the names of both kinds, for oned's log.
 * A driver costs a Node.js start (in a process of its own, or the first of a driver host) and
 * memory: a site with hosts of one hypervisor should not run the drivers of every other (kvm, qemu, ec2, one...) until a host uses them.
 */
export async function startDrivers(drivers: Iterable<Driver | undefined>, onDemand: (name: string) => boolean): Promise<{ started: string[]; later: string[] }> {
  const started: string[] = [];
  const later: string[] = [];
  const starting: Promise<void>[] = [];
  for (const d of drivers) {
    if (!d) continue;
    if (onDemand(d.name)) later.push(d.name);
    else {
      started.push(d.name);
      starting.push(d.start());
    }
  }
  await Promise.all(starting);
  return { started, later };
}

/**
 * The one driver of a section that has no NAME (HM_MAD, TM_MAD, DATASTORE_MAD, MARKET_MAD,
 * AUTH_MAD: one process serves every driver of its kind), or undefined when oned.conf has none.
 * It starts on its first request: a cloud that has not used hooks, transfers, marketplaces or
 * external authentication yet runs none of those drivers.
 */
export function singleDriver(config: ConfigReader, section: string, log: Logger, oneLocation: string, extraEnv: NodeJS.ProcessEnv = {}, extraArgs: readonly string[] = []): Driver | undefined {
  const attr = config.template.getAll(section)[0];
  if (!attr) return undefined;
  if (typeof attr.value === 'string') throw new Error(`${section} must be a vector: ${section} = [ EXECUTABLE = ..., ARGUMENTS = ... ]`);
  return makeDriver(config, section, section.toLowerCase(), attr.value, log, oneLocation, extraEnv, extraArgs, true);
}

/**
 * Driver hosts by environment: built-in drivers with the same environment share one process
 * (DRIVER_PROCESSES = "shared", the default). Drivers with another environment (VM_MAD, IM_MAD
 * and HM_MAD get oned's endpoint and oneadmin's credentials for the API; TM_MAD, DATASTORE_MAD,
 * MARKET_MAD and AUTH_MAD do not) run in another host, so no driver nor script it runs sees
 * more than it would in a process of its own. A host process starts with its first driver and
 * ends with its last.
 */
const hosts = new Map<string, DriverHost>();

function hostFor(env: NodeJS.ProcessEnv, log: Logger): DriverHost {
  const key = JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let host = hosts.get(key);
  if (!host) {
    host = new DriverHost({ env, onStderr: (line) => log.warn('ONE', `driver host (stderr): ${line}`) });
    hosts.set(key, host);
  }
  return host;
}

/** Whether oned.conf lets built-in drivers share processes (DRIVER_PROCESSES = "shared" | "separate"). */
function sharedProcesses(config: ConfigReader): boolean {
  const mode = config.string('DRIVER_PROCESSES', 'shared').toLowerCase();
  if (mode !== 'shared' && mode !== 'separate') throw new Error(`DRIVER_PROCESSES must be "shared" or "separate", not "${mode}"`);
  return mode === 'shared';
}

/** A driver process as oned.conf describes it, with the remotes directories in its environment. */
function makeDriver(
  config: ConfigReader,
  section: string,
  name: string,
  v: Vector,
  log: Logger,
  oneLocation: string,
  extraEnv: NodeJS.ProcessEnv = {},
  extraArgs: readonly string[] = [],
  startOnDemand = false,
): Driver {
  const executable = v.get('EXECUTABLE');
  if (!executable) throw new Error(`${section} needs EXECUTABLE`);
  const env = {
    ...process.env,
    [REMOTES_DIR_ENV]: defaultRemotesDir(),
    [SCRIPTS_REMOTE_DIR_ENV]: config.string('SCRIPTS_REMOTE_DIR', DEFAULT_SCRIPTS_REMOTE_DIR),
    ...extraEnv,
  };
  const exe = resolveExecutable(executable, { oneLocation });
  const module = section.slice(0, 3);
  // A TIMEOUT (seconds) in the entry bounds each request to the driver.
  const timeout = Number(v.get('TIMEOUT') ?? '');
  const argv = [...splitArguments(v.get('ARGUMENTS') ?? ''), ...extraArgs];
  const builtin = exe.builtin;
  const host = builtin !== undefined && sharedProcesses(config) ? hostFor(env, log) : undefined;
  return new Driver({
    name,
    command: exe.command,
    args: [...exe.args, ...argv],
    env,
    ...(host ? { launch: () => host.spawn(builtin!, argv) } : {}),
    requestTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : undefined,
    startOnDemand,
    onLog: (l) => log.debug(module, `${name} [${l.severity}] ${l.id}: ${l.text}`),
    onStderr: (line) => log.warn(module, `${name} (stderr): ${line}`),
    onEvent: (level, message) => log.log(module, level === 'error' ? 0 : level === 'warning' ? 1 : 2, `${name}: ${message}`),
  });
}

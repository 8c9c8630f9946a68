#!/usr/bin/env node
/**
 * `mm_sched`: the scheduler process. oned starts it (oned.conf SCHEDULER); it also runs on its
 * own against any oned, reaching it as every client does (ONE_XMLRPC, ONE_AUTH).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, LogLevel } from '../common/log.js';
import { Oca } from '../oca/index.js';
import { parseSchedConfig, type SchedConfig } from './sched-config.js';
import { Scheduler, type SchedLog } from './scheduler.js';
import { formatExplanation } from './explain-format.js';

const USAGE = `Usage: mm_sched [-c sched.conf] [-t SCHED_INTERVAL] [-m MAX_VM] [-d MAX_DISPATCH] [-h MAX_HOST]
                [-L LOGFILE] [--once | --explain VM_ID]
  -c FILE      settings (default: $ONE_LOCATION/etc/sched.conf when it exists)
  -t -m -d -h  override SCHED_INTERVAL, MAX_VM, MAX_DISPATCH, MAX_HOST
  -L FILE      log file (default: $ONE_LOCATION/var/sched.log, else standard error)
  --once       run one cycle, print what it did, exit
  --explain ID for VM ID, list every host with why it is filtered or its rank, and exit
Environment: ONE_XMLRPC (oned's endpoint), ONE_AUTH (credentials file), ONE_LOCATION`;

const OVERRIDES: Readonly<Record<string, string>> = { '-t': 'SCHED_INTERVAL', '-m': 'MAX_VM', '-d': 'MAX_DISPATCH', '-h': 'MAX_HOST' };

interface Options {
  config: SchedConfig;
  /** undefined: standard error. */
  logFile: string | undefined;
  once: boolean;
  explain: number | undefined;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  const loc = env.ONE_LOCATION;
  let confFile = loc ? join(loc, 'etc', 'sched.conf') : undefined;
  let logFile = loc ? join(loc, 'var', 'sched.log') : undefined;
  let overrides = '';
  let once = false;
  let explain: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '-c') confFile = value();
    else if (a === '-L') logFile = value();
    else if (a === '--once') once = true;
    else if (a === '--explain') {
      const v = value();
      if (!/^\d+$/.test(v)) throw new Error(`--explain needs a VM id, got "${v}"`);
      explain = Number(v);
    } else if (OVERRIDES[a]) overrides += `${OVERRIDES[a]} = "${value()}"\n`;
    else throw new Error(`unknown option ${a}`);
  }
  const fileText = confFile && existsSync(confFile) ? readFileSync(confFile, 'utf8') : '';
  let config: SchedConfig;
  try {
    config = parseSchedConfig(`${fileText}\n${overrides}`);
  } catch (err) {
    throw new Error(`${confFile ?? 'sched.conf'}: ${(err as Error).message}`);
  }
  return { config, logFile, once, explain };
}

function schedLog(logger: Logger): SchedLog {
  return {
    info: (m) => logger.info('SCHED', m),
    warn: (m) => logger.warn('SCHED', m),
    error: (m) => logger.error('SCHED', m),
  };
}

/** Runs a one-shot mode: exit 0, or 1 with the error on standard error. */
async function once(run: () => Promise<void>, cleanup: () => void | Promise<void>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (err) {
    console.error(`mm_sched: ${(err as Error).message}`);
    return 1;
  } finally {
    await cleanup();
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  let opts: Options;
  try {
    opts = parseArgs(argv, process.env);
  } catch (err) {
    console.error(`mm_sched: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const oca = new Oca();
  if (opts.explain !== undefined) {
    const id = opts.explain;
    const scheduler = new Scheduler(oca, opts.config, { info() {}, warn() {}, error() {} });
    return once(async () => console.log(formatExplanation(await scheduler.explain(id), opts.config)), () => oca.close());
  }
  const logger = opts.logFile === undefined ? Logger.toStderr(LogLevel.INFO) : Logger.toFile(opts.logFile, LogLevel.INFO);
  const scheduler = new Scheduler(oca, opts.config, schedLog(logger));
  const c = opts.config;
  logger.info('SCHED', `Starting the scheduler: SCHED_INTERVAL ${c.intervalSec} s, MAX_VM ${c.maxVm}, MAX_DISPATCH ${c.maxDispatch}, MAX_HOST ${c.maxHost}, LIVE_RESCHEDS ${c.liveRescheds ? 1 : 0}, host policy ${c.hostPolicy.policy}`);
  if (opts.once) {
    return once(async () => console.log(JSON.stringify(await scheduler.cycle())), async () => {
      oca.close();
      await logger.close();
    });
  }
  scheduler.start();
  const stop = async () => {
    await scheduler.stop();
    logger.info('SCHED', 'Scheduler stopped');
    oca.close();
    await logger.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  return -1;
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
});

#!/usr/bin/env node
/**
 * `oned`: the core daemon. `oned -f` runs in the foreground; plain `oned` starts a background
 * daemon, waits until it serves, prints where, and returns. SIGTERM and SIGINT stop it cleanly.
 */
import { fork } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Nebula, API_VERSION } from './nebula.js';
import { locate, type Location } from './location.js';
import { acquireLock, lockHolder } from './instance-lock.js';

const USAGE = `Usage: oned [-f] [-i] [-v] [-h]
  -f  run in the foreground (default: start a daemon and return once it serves)
  -i  initialize the database (create the schema and oneadmin) and exit
  -v  print the version and exit
  -h  print this help
Environment: ONE_LOCATION (self-contained directory; default ./var of this package),
             ONE_AUTH (file with "oneadmin:password" used on first start)`;

function credentialsWhere(loc: Location): string {
  return process.env.ONE_AUTH || loc.oneAuthFile;
}

async function foreground(loc: Location, initOnly: boolean): Promise<void> {
  // Held until this process exits; the kernel drops it even on SIGKILL (see instance-lock.ts).
  await acquireLock(loc);
  const nebula = new Nebula(loc);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await nebula.stop();
    } finally {
      rmSync(loc.pidFile, { force: true });
      process.exit(code);
    }
  };
  // A leader that lost its lock is fenced already: it stops, and its service manager starts it again as a follower.
  nebula.onFenced = (reason) => {
    console.error(`oned lost the lead of its zone (${reason}); stopping`);
    void stop(1);
  };
  const started = await nebula.start();
  if (initOnly) {
    await stop(0);
    return;
  }
  writeFileSync(loc.pidFile, `${process.pid}\n`);
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  const info = { endpoint: started.endpoint, credentials: credentialsWhere(loc), log: loc.log, pid: process.pid };
  if (process.send) {
    process.send(info);
    process.disconnect();
  } else {
    console.log(`oned ${API_VERSION} (nebula-ts) is serving the XML-RPC API at ${info.endpoint}`);
    console.log(`oneadmin's credentials: ${info.credentials}`);
    console.log(`log: ${info.log}; stop with Ctrl-C or SIGTERM`);
  }
}

/** Starts `oned -f` detached, waits for it to serve, reports. */
async function daemonize(loc: Location): Promise<number> {
  const other = await lockHolder(loc);
  if (other !== null) {
    console.error(`oned is already running for ${loc.root} (${other > 0 ? `pid ${other}` : 'pid unknown'})`);
    return 1;
  }
  mkdirSync(loc.varDir, { recursive: true });
  const errFile = `${loc.varDir}/oned.error`;
  const offset = existsSync(errFile) ? statSync(errFile).size : 0;
  const err = openSync(errFile, 'a');
  const child = fork(fileURLToPath(import.meta.url), ['-f'], { detached: true, stdio: ['ignore', 'ignore', err, 'ipc'] });
  return new Promise((resolve) => {
    child.once('message', (m) => {
      const info = m as { endpoint: string; credentials: string; log: string; pid: number };
      console.log(`oned started (pid ${info.pid}), serving the XML-RPC API at ${info.endpoint}`);
      console.log(`oneadmin's credentials: ${info.credentials}`);
      console.log(`log: ${info.log}; pid file: ${loc.pidFile}`);
      child.unref();
      resolve(0);
    });
    child.once('exit', (code) => {
      const text = readFileSync(errFile, 'utf8').slice(offset).trim();
      console.error(`oned failed to start (exit ${code}). ${text || `See ${loc.log}.`}`);
      resolve(1);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv);
  for (const f of flags) {
    if (!['-f', '-i', '-v', '-h', '--help'].includes(f)) {
      console.error(`oned: unknown option ${f}\n${USAGE}`);
      return 2;
    }
  }
  if (flags.has('-h') || flags.has('--help')) {
    console.log(USAGE);
    return 0;
  }
  if (flags.has('-v')) {
    console.log(`oned (nebula-ts) ${API_VERSION}`);
    return 0;
  }
  const loc = locate();
  if (flags.has('-f') || flags.has('-i')) {
    await foreground(loc, flags.has('-i'));
    return -1; // keep running
  }
  return daemonize(loc);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: Error) => {
    console.error(`oned: ${err.message}`);
    process.exit(1);
  },
);

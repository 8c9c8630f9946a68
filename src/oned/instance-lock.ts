/**
 * One oned per location: a lock the kernel holds for the running oned and drops when it dies.
 *
 * Node has no flock(2), so the lock is a listening Unix socket in Linux's abstract namespace,
 * named after the location's path. Binding it is atomic (a second bind fails with EADDRINUSE),
 * and the kernel frees the name the moment the holding process exits, however it exits (crash,
 * SIGKILL, or a zombie whose parent has not reaped it yet: a zombie holds no descriptors). Node
 * opens sockets close-on-exec, so drivers oned starts never inherit it. Unlike a pid file, a stale
 * pid file naming a live process (the pid reused by another program) cannot block a start.
 *
 * The holder answers each connection with its pid, which the messages show. The pid file is kept
 * for people and scripts, but nothing decides by it.
 *
 * Limit: the abstract namespace belongs to a network namespace, so two oneds in different network
 * namespaces with one ONE_LOCATION would not see each other.
 */
import { createServer, connect, type Server } from 'node:net';
import { createHash } from 'node:crypto';
import type { Location } from './location.js';

/** The abstract socket name of a location (a hash of its path: names are limited to 107 bytes). */
export function lockName(loc: Location): string {
  return `\0nebula-ts-oned-${createHash('sha256').update(loc.root).digest('hex').slice(0, 40)}`;
}

/** The pid of the oned that holds the location's lock, or null when none does. */
export function lockHolder(loc: Location): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = connect(lockName(loc));
    let text = '';
    const timer = setTimeout(() => {
      // Holding the name but not answering: still running (busy); the pid is unknown.
      sock.destroy();
      resolve(0);
    }, 3000);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('end', () => {
      clearTimeout(timer);
      const pid = Number(text.trim());
      resolve(Number.isInteger(pid) && pid > 0 ? pid : 0);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // ECONNREFUSED/ENOENT: nobody holds the name.
      resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? null : 0);
    });
  });
}

export class AlreadyRunning extends Error {
  constructor(
    loc: Location,
    readonly pid: number,
  ) {
    super(`oned is already running for ${loc.root} (${pid > 0 ? `pid ${pid}` : 'pid unknown'}; lock ${JSON.stringify(lockName(loc).slice(1))} in the abstract socket namespace)`);
  }
}

/**
 * Takes the location's lock for this process, or throws AlreadyRunning. The returned server is
 * unref'd: it does not keep the process alive, and it is released when the process exits.
 */
export async function acquireLock(loc: Location): Promise<Server> {
  const server = createServer((sock) => sock.end(`${process.pid}\n`));
  server.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lockName(loc), () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new AlreadyRunning(loc, (await lockHolder(loc)) ?? 0);
  }
  server.unref();
  return server;
}

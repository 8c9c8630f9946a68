/**
 * Whether the scheduler and OneFlow run on this machine: a process whose command line is theirs
 * (`mm_sched` / `oneflow-server`, or node running their entry script), found in /proc. That is
 * what OpenNebula's exporter asks systemd, and it holds whether they run as systemd units, under
 * oned (the scheduler oned starts) or by hand. oned itself is up when it answers the exporter.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { lookup, lookupService } from 'node:dns/promises';
import { hostname } from 'node:os';

/** How a service's process is recognized in its argv. */
const SERVICES = {
  scheduler: { command: 'mm_sched', script: 'src/sched/main.js' },
  flow: { command: 'oneflow-server', script: 'src/flow/main.js' },
} as const;

export type LocalService = keyof typeof SERVICES;

/** Whether `argv` (a /proc cmdline split on NULs) runs `service`. */
export function runs(argv: readonly string[], service: LocalService): boolean {
  const { command, script } = SERVICES[service];
  // The command itself, or the script node runs (node [options] script).
  if (argv.length === 0) return false;
  if (basename(argv[0]!) === command) return true;
  if (!/^node(js)?$/.test(basename(argv[0]!))) return false;
  const first = argv.slice(1).find((a) => !a.startsWith('-'));
  return first !== undefined && (first.endsWith(`/${script}`) || first === script || basename(first) === command);
}

/** Which of the local services have a process now. */
export async function localServices(procDir = '/proc'): Promise<Record<LocalService, boolean>> {
  const found: Record<LocalService, boolean> = { scheduler: false, flow: false };
  let pids: string[];
  try {
    pids = (await readdir(procDir)).filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return found;
  }
  await Promise.all(
    pids.map(async (pid) => {
      let raw: string;
      try {
        raw = await readFile(`${procDir}/${pid}/cmdline`, 'utf8');
      } catch {
        return; // gone meanwhile, or not ours to read
      }
      const argv = raw.split('\0').filter((a) => a !== '');
      for (const s of Object.keys(SERVICES) as LocalService[]) if (runs(argv, s)) found[s] = true;
    }),
  );
  return found;
}

/** This machine's fully qualified name, as its resolver gives it (else the host name). */
export async function serverFqdn(): Promise<string> {
  const name = hostname();
  try {
    const { address } = await lookup(name);
    return (await lookupService(address, 0)).hostname || name;
  } catch {
    return name;
  }
}

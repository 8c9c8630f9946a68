/**
 * Command-line options of the driver executables, as OpenNebula's drivers take them in oned.conf
 * `ARGUMENTS`: `-t threads`, `-r retries`, `-w timeout`, `-l local actions`, plus per-driver ones.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every driver executable accepts. */
export interface DriverArgs {
  /** `-t`: actions run at once (default 15). */
  readonly threads: number;
  /** `-r`: extra runs of a failed script (default 0). */
  readonly retries: number;
  /** `-w`: seconds a script may run before it is killed, in ms; 0 = no limit. */
  readonly timeoutMs: number;
  /** `-l`: actions run on the front-end, with their script name when renamed (`poll=poll_ganglia`). */
  readonly local: ReadonlyMap<string, string | undefined>;
  /** Values of the executable's own options, by long name. */
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly positionals: readonly string[];
}

const COMMON: OptionsConfig = {
  threads: { type: 'string', short: 't' },
  retries: { type: 'string', short: 'r' },
  timeout: { type: 'string', short: 'w' },
  local: { type: 'string', short: 'l' },
};

/**
 * Parses argv (without node and script). `extra` declares the executable's own string options.
 * @throws Error naming the bad option.
 */
export function parseDriverArgs(argv: readonly string[], extra: OptionsConfig = {}): DriverArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...COMMON, ...extra },
    allowPositionals: true,
    strict: true,
  });
  const v = values as Record<string, string | undefined>;
  return {
    threads: intOption(v.threads, '-t', 15, 1),
    retries: intOption(v.retries, '-r', 0, 0),
    timeoutMs: intOption(v.timeout, '-w', 0, 0) * 1000,
    local: parseActionList(v.local ?? ''),
    values: v,
    positionals,
  };
}

/** A non-negative integer option, `fallback` when absent. @throws Error when not a number ≥ min. */
export function intOption(value: string | undefined, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw new Error(`${flag} expects an integer >= ${min}, got '${value}'`);
  return n;
}

/**
 * `deploy, shutdown, poll=poll_ganglia` → DEPLOY, SHUTDOWN, POLL (run as script `poll_ganglia`).
 */
export function parseActionList(list: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const item of parseNameList(list)) {
    const eq = item.indexOf('=');
    if (eq === -1) out.set(item.toUpperCase(), undefined);
    else out.set(item.slice(0, eq).trim().toUpperCase(), item.slice(eq + 1).trim() || undefined);
  }
  return out;
}

/** `a, b,c` → ['a', 'b', 'c']. */
export function parseNameList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The runner of every command: parses argv against the definition, builds the context, runs
 * the subcommand and turns every failure into one line on stderr and an exit code (0 ok, 255
 * an error as OpenNebula's CLI, 1 a usage mistake). Never a stack trace.
 */
import { CredentialsError, Oca, OneConnectionError, OneError } from '../oca/index.js';
import { CliError, type CliContext, type CommandDef, type OptionDef, type ResourceKind, type SubcommandDef } from './command.js';
import { bashCompletion } from './completion.js';
import { commandHelp, subcommandHelp, usageLine } from './help.js';
import { Resolver } from './resolve.js';

/** The options every subcommand accepts. */
export const COMMON_OPTIONS: readonly OptionDef[] = [
  { long: 'help', short: 'h', description: 'Shows this help' },
  { long: 'xml', short: 'x', description: 'Prints the XML oned answered' },
  { long: 'json', short: 'j', description: 'Prints JSON of the XML' },
  { long: 'yaml', short: 'y', description: 'Prints YAML of the XML' },
  { long: 'list', short: 'l', value: 'COLUMNS', description: 'Columns to show, such as ID,NAME' },
  { long: 'csv', description: 'Comma-separated values' },
  { long: 'no-header', description: 'Leaves out the header line' },
  { long: 'delimiter', value: 'TEXT', description: 'Separates columns with TEXT, unpadded' },
  { long: 'filter', value: 'KEY=VALUE', multiple: true, description: 'Rows where column KEY is (=, !=, <, >) VALUE' },
  { long: 'search', value: 'TEXT', description: 'Rows with TEXT in any column' },
  { long: 'verbose', short: 'v', description: 'Says what was done' },
  { long: 'endpoint', value: 'URL', description: 'oned endpoint (else ONE_XMLRPC)' },
  { long: 'user', value: 'NAME', description: 'User name (else ONE_AUTH)' },
  { long: 'password', value: 'PASSWORD', description: 'Password, with --user' },
];

/** A usage mistake (exit code 1): the message says where to find the help. */
function usage(message: string, help: string): CliError {
  return new CliError(`${message}; see \`${help} --help\``, 1);
}

export interface ParsedLine {
  readonly sub: SubcommandDef;
  readonly args: Record<string, string | string[] | undefined>;
  readonly options: Record<string, string | boolean | string[] | undefined>;
}

/** Parses the words after the command name into a subcommand, its arguments and its options. */
export function parseLine(def: CommandDef, words: readonly string[], sub: SubcommandDef): ParsedLine {
  const known = [...(sub.options ?? []), ...COMMON_OPTIONS];
  const where = `${def.name} ${sub.name}`;
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positional: string[] = [];
  let onlyArgs = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (onlyArgs || !w.startsWith('-') || w === '-') {
      positional.push(w);
      continue;
    }
    if (w === '--') {
      onlyArgs = true;
      continue;
    }
    const long = w.startsWith('--');
    const eq = long ? w.indexOf('=') : -1;
    const key = long ? w.slice(2, eq < 0 ? undefined : eq) : w.slice(1, 2);
    const opt = known.find((o) => (long ? o.long === key : o.short === key));
    if (!opt) throw usage(`Unknown option ${long ? `--${key}` : `-${key}`} for ${where}`, where);
    let value: string | true = true;
    if (opt.value) {
      const inline = long ? (eq < 0 ? undefined : w.slice(eq + 1)) : w.length > 2 ? w.slice(2) : undefined;
      value = inline ?? words[++i] ?? '';
      if (inline === undefined && i >= words.length) throw usage(`Option --${opt.long} needs a value (${opt.value})`, where);
    } else if (eq >= 0 || (!long && w.length > 2)) throw usage(`Option --${opt.long} takes no value`, where);
    if (opt.multiple) options[opt.long] = [...((options[opt.long] as string[] | undefined) ?? []), value as string];
    else options[opt.long] = value;
  }
  const args: Record<string, string | string[] | undefined> = {};
  let p = 0;
  for (const a of sub.args) {
    if (a.variadic) {
      const rest = positional.slice(p);
      p = positional.length;
      if (rest.length === 0 && !a.optional && options.help !== true) throw usage(`Missing argument ${a.name} (usage: ${usageLine(def, sub)})`, where);
      args[a.name] = rest.length ? rest : undefined;
    } else if (p < positional.length) args[a.name] = positional[p++];
    else if (!a.optional && options.help !== true) throw usage(`Missing argument ${a.name} (usage: ${usageLine(def, sub)})`, where);
  }
  if (p < positional.length) throw usage(`Too many arguments for ${where}: ${positional.slice(p).join(' ')}`, where);
  return { sub, args, options };
}

/** The context a subcommand runs with: the client is made on first use (help needs none). */
class RunContext implements CliContext {
  private client: Oca | undefined;
  private readonly resolver = new Resolver(() => this.one);

  constructor(readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>) {}

  get one(): Oca {
    if (!this.client) {
      const o = this.options;
      if (typeof o.password === 'string' && typeof o.user !== 'string') throw new CliError('--password needs --user');
      if (typeof o.user === 'string' && typeof o.password !== 'string') throw new CliError(`--user ${o.user} needs --password`);
      const session = typeof o.user === 'string' ? `${o.user}:${o.password as string}` : undefined;
      this.client = new Oca({ endpoint: typeof o.endpoint === 'string' ? o.endpoint : undefined, session });
    }
    return this.client;
  }

  resolve(kind: ResourceKind, idOrName: string): Promise<number> {
    return this.resolver.resolve(kind, idOrName);
  }

  resolveRange(kind: ResourceKind, text: string | string[]): Promise<number[]> {
    return this.resolver.resolveRange(kind, text);
  }

  print(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  close(): void {
    this.client?.close();
  }
}

/** One line for a failure, and its exit code. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof OneError || err instanceof OneConnectionError || err instanceof CredentialsError) return { message: err.message, exitCode: 255 };
  const text = err instanceof Error ? err.message : String(err);
  return { message: `Error: ${text.split('\n')[0]}`, exitCode: 255 };
}

/**
 * Waits until stdout and stderr have handed everything to the OS: the bins' `process.exit()`
 * would otherwise drop what a slow pipe (`onevm list | less`, a script reading) has not taken yet.
 */
function flushed(): Promise<unknown> {
  return Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((res) => s.write('', () => res()))));
}

/** Parses argv (common options: -h/--help, -x/--xml, -j/--json, -y/--yaml, --csv, -l/--list, --no-header, --delimiter, --filter, --search, -v/--verbose, --endpoint, --user, --password), runs the subcommand, prints CliError/OneError/OneConnectionError as one line, returns the exit code (0 ok, 255 error as OpenNebula's CLI, 1 usage). */
export async function runCli(def: CommandDef, argv: readonly string[]): Promise<number> {
  const code = await runCommand(def, argv);
  await flushed();
  return code;
}

async function runCommand(def: CommandDef, argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${commandHelp(def, COMMON_OPTIONS)}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === 'completion') {
    if (rest[0] !== 'bash') {
      process.stderr.write(`${def.name} completion: only bash is supported (\`${def.name} completion bash\`)\n`);
      return 1;
    }
    process.stdout.write(`${bashCompletion(def, COMMON_OPTIONS)}\n`);
    return 0;
  }
  let ctx: RunContext | undefined;
  try {
    const sub = def.subcommands.find((s) => s.name === name);
    if (!sub) throw usage(`Unknown command "${name}" for ${def.name}; the commands are ${def.subcommands.map((s) => s.name).join(', ')}`, def.name);
    const line = parseLine(def, rest, sub);
    if (line.options.help === true) {
      process.stdout.write(`${subcommandHelp(def, sub, COMMON_OPTIONS)}\n`);
      return 0;
    }
    ctx = new RunContext(line.options);
    await sub.run(ctx, line.args);
    return 0;
  } catch (err) {
    const { message, exitCode } = describeError(err);
    process.stderr.write(`${message}\n`);
    return exitCode;
  } finally {
    ctx?.close();
  }
}

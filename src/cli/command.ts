/**
 * The shape of a command line tool: a command (`onehost`) is a list of subcommands, each with
 * its arguments and options, and a `run` that reaches oned only through `src/oca`. Help, bash
 * completion and argument checks are generated from these definitions (see run.ts).
 */
import type { Oca } from '../oca/index.js';

/** The kinds of objects a name or id can stand for. */
export type ResourceKind = 'vm' | 'host' | 'cluster' | 'datastore' | 'image' | 'template' | 'vnet' | 'user' | 'group' | 'backupjob' | 'market' | 'marketapp' | 'vrouter' | 'secgroup' | 'hook' | 'vmgroup' | 'vntemplate' | 'vdc' | 'zone';

export interface ArgDef {
  /** Shown in help (`HOSTID`, `FILE`...). */
  name: string;
  /** The object the argument names: an id or a name. */
  kind?: ResourceKind;
  optional?: boolean;
  /** Takes the remaining words (as a list). */
  variadic?: boolean;
  /** ids, names or ranges such as 1,3-5 */
  range?: boolean;
}

export interface OptionDef {
  /** `cluster` for `--cluster`; the key in `CliContext.options`. */
  long: string;
  /** `c` for `-c`. */
  short?: string;
  /** placeholder, e.g. 'NUMBER'; absent: a flag */
  value?: string;
  description: string;
  /** May be given several times (the values as a list). */
  multiple?: boolean;
}

export interface SubcommandDef {
  name: string;
  description: string;
  args: ArgDef[];
  options?: OptionDef[];
  /** Command lines shown in `--help`. */
  examples?: string[];
  run(ctx: CliContext, args: Record<string, string | string[] | undefined>): Promise<void>;
}

export interface CommandDef {
  name: string;
  description: string;
  subcommands: SubcommandDef[];
}

/** What a subcommand sees: the client, the parsed options, name resolution and output. */
export interface CliContext {
  readonly one: Oca;
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  /** An id from an id or a name (names work wherever ids do; several matches or none: CliError). */
  resolve(kind: ResourceKind, idOrName: string): Promise<number>;
  /** Ids from `1,3-5`, names, or a list of them. */
  resolveRange(kind: ResourceKind, text: string | string[]): Promise<number[]>;
  print(line: string): void;
}

/** A user error: printed as one line, exit code 255 (or its own); never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 255,
  ) {
    super(message);
  }
}

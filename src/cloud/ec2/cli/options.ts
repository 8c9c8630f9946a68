/**
 * Option parsing shared by the `econe-*` commands (node:util's parseArgs): the options every
 * 3.x/4.x tool took (-K/--access-key, -S/--secret-key, -U/--url, -H/--headers, -v/--verbose,
 * -h/--help, -V/--version) plus the command's own, then its positional arguments.
 */
import { parseArgs } from 'node:util';
import { EconeError, type EconeCommand, type EconeOption } from './command.js';

export const COMMON_OPTIONS: readonly EconeOption[] = [
  { long: 'access-key', short: 'K', value: 'ID', description: 'The user name (else EC2_ACCESS_KEY or AWS_ACCESS_KEY_ID, else the ONE_AUTH user)' },
  { long: 'secret-key', short: 'S', value: 'KEY', description: "The user's EC2 secret key, as `oneuser ec2-key` shows it (else EC2_SECRET_KEY or AWS_SECRET_ACCESS_KEY)" },
  { long: 'url', short: 'U', value: 'URL', description: 'The econe-server URL (else EC2_URL, else http://localhost:4567/)' },
  { long: 'headers', short: 'H', description: 'Prints column headers above tables' },
  { long: 'verbose', short: 'v', description: 'Says what was done, and the request id of failures' },
  { long: 'help', short: 'h', description: 'Shows this help' },
  { long: 'version', short: 'V', description: 'Shows the version' },
];

export interface ParsedCommandLine {
  readonly options: Record<string, string | boolean | undefined>;
  readonly args: string[];
}

/** Parses argv for `cmd`; a mistake is an EconeError with exit code 1. */
export function parseCommandLine(cmd: EconeCommand, argv: readonly string[]): ParsedCommandLine {
  const all = [...(cmd.options ?? []), ...COMMON_OPTIONS];
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const o of all) spec[o.long] = { type: o.value ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs words its errors for programmers; keep the first sentence.
    const text = (err as Error).message.split('. ')[0]!.replace(/\.$/, '');
    throw new EconeError(`${text}; see \`${cmd.name} --help\``, 1);
  }
  const options = parsed.values as Record<string, string | boolean | undefined>;
  const args = parsed.positionals;
  if (options.help || options.version) return { options, args };
  const wanted = cmd.args ?? [];
  const required = wanted.filter((a) => !a.optional).length;
  if (args.length < required) throw new EconeError(`missing ${wanted[args.length]!.name} (usage: ${usageLine(cmd)})`, 1);
  if (args.length > wanted.length) throw new EconeError(`too many arguments: ${args.slice(wanted.length).join(' ')} (usage: ${usageLine(cmd)})`, 1);
  return { options, args };
}

export function usageLine(cmd: EconeCommand): string {
  const args = (cmd.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name));
  return [cmd.name, '[OPTIONS]', ...args].join(' ');
}

/** The --help text. */
export function helpText(cmd: EconeCommand): string {
  const all = [...(cmd.options ?? []), ...COMMON_OPTIONS];
  const left = (o: EconeOption) => `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...all.map((o) => left(o).length));
  return [
    `Usage: ${usageLine(cmd)}`,
    '',
    cmd.description,
    '',
    'Options:',
    ...all.map((o) => `  ${left(o).padEnd(width)}  ${o.description}`),
  ].join('\n');
}

/** `i-1,i-2` and `i-3 i-4` both give the list of ids (3.x took comma-separated lists). */
export function idList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

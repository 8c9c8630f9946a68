/** `--help` texts, generated from the command definitions. */
import type { ArgDef, CommandDef, OptionDef, SubcommandDef } from './command.js';

/** How an argument is shown in a usage line: `NAME`, `[NAME]`, `RANGE...`. */
function argUsage(a: ArgDef): string {
  const word = a.variadic ? `${a.name}...` : a.name;
  return a.optional ? `[${word}]` : word;
}

/** `onehost create NAME [options]`. */
export function usageLine(def: CommandDef, sub: SubcommandDef): string {
  return [def.name, sub.name, ...sub.args.map(argUsage), '[options]'].join(' ');
}

function optionLines(options: readonly OptionDef[]): string[] {
  const heads = options.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.min(30, Math.max(...heads.map((h) => h.length)));
  return options.map((o, i) => `  ${heads[i]!.padEnd(width)}  ${o.description}`);
}

function argHelp(a: ArgDef): string {
  const what = a.range ? `${a.kind ?? 'object'} ids, names or ranges (1,3-5)` : a.kind ? `${a.kind} id or name` : '';
  return what ? `  ${a.name.padEnd(14)}  ${what}` : '';
}

/** The help of a command: its subcommands. */
export function commandHelp(def: CommandDef, common: readonly OptionDef[]): string {
  const width = Math.max(...def.subcommands.map((s) => s.name.length));
  return [
    `Usage: ${def.name} COMMAND [args] [options]`,
    '',
    def.description,
    '',
    'Commands:',
    ...def.subcommands.map((s) => `  ${s.name.padEnd(width)}  ${s.description}`),
    `  ${'completion'.padEnd(width)}  Bash completion: source <(${def.name} completion bash)`,
    '',
    'Common options:',
    ...optionLines(common),
    '',
    `Run \`${def.name} COMMAND --help\` for a command's arguments, options and examples.`,
  ].join('\n');
}

/** The help of a subcommand: usage, arguments, options, examples. */
export function subcommandHelp(def: CommandDef, sub: SubcommandDef, common: readonly OptionDef[]): string {
  const args = sub.args.map(argHelp).filter((l) => l !== '');
  const lines = [`Usage: ${usageLine(def, sub)}`, '', sub.description];
  if (args.length) lines.push('', 'Arguments:', ...args);
  if (sub.options?.length) lines.push('', 'Options:', ...optionLines(sub.options));
  lines.push('', 'Common options:', ...optionLines(common));
  if (sub.examples?.length) lines.push('', 'Examples:', ...sub.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/**
 * Bash completion generated from a command's definition: subcommands, their options, and the
 * names of the objects an argument stands for (listed by that kind's command).
 */
import type { CommandDef, OptionDef } from './command.js';
import { KIND_COMMAND } from './resolve.js';

function optionWords(options: readonly OptionDef[]): string {
  return options.flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]).join(' ');
}

/** The script of `<command> completion bash` (to `source`). */
export function bashCompletion(def: CommandDef, common: readonly OptionDef[]): string {
  const fn = `_${def.name.replace(/\W/g, '_')}`;
  const cases = def.subcommands.map((s) => {
    const kinds = s.args.map((a) => (a.kind ? KIND_COMMAND[a.kind] : '-')).join(' ');
    const variadic = s.args.length > 0 && s.args[s.args.length - 1]!.variadic ? 1 : 0;
    return `    ${s.name}) opts="${optionWords(s.options ?? [])}"; listers=(${kinds}); variadic=${variadic} ;;`;
  });
  return [
    `# bash completion for ${def.name}: source <(${def.name} completion bash)`,
    `${fn}() {`,
    '  local cur=${COMP_WORDS[COMP_CWORD]} opts="" listers=() variadic=0',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=( $(compgen -W "${[...def.subcommands.map((s) => s.name), 'completion'].join(' ')}" -- "$cur") )`,
    '    return',
    '  fi',
    '  case "${COMP_WORDS[1]}" in',
    ...cases,
    '    completion) COMPREPLY=( $(compgen -W "bash" -- "$cur") ); return ;;',
    '  esac',
    '  if [[ "$cur" == -* ]]; then',
    `    COMPREPLY=( $(compgen -W "$opts ${optionWords(common)}" -- "$cur") )`,
    '    return',
    '  fi',
    '  local pos=$((COMP_CWORD - 2)) n=${#listers[@]}',
    '  if [ "$pos" -ge "$n" ] && [ "$variadic" -eq 1 ] && [ "$n" -gt 0 ]; then pos=$((n - 1)); fi',
    '  local lister=${listers[$pos]:--}',
    '  if [ "$lister" != "-" ]; then',
    '    COMPREPLY=( $(compgen -W "$($lister list --no-header --list NAME 2>/dev/null)" -- "$cur") )',
    '  fi',
    '}',
    `complete -o default -F ${fn} ${def.name}`,
  ].join('\n');
}

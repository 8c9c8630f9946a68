/** The command line framework: definitions, output and the runner every `one*` command uses. */
export { CliError, type ArgDef, type CliContext, type CommandDef, type OptionDef, type ResourceKind, type SubcommandDef } from './command.js';
export { printList, printShow, selectColumns, showField, showHeader, tableLines, templateLines, toYaml, xmlToJson, type Column } from './output.js';
export { idByName, KIND_LABEL, rangeWords, Resolver } from './resolve.js';
export { COMMON_OPTIONS, describeError, parseLine, runCli } from './run.js';

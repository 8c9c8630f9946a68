/** The command line framework: definitions, output and the runner every `one*` command uses. */
export { CliError, type ArgDef, type CliContext, type CommandDef, type OptionDef, type ResourceKind, type SubcommandDef } from './command.js';
export { printList, printShow, selectColumns, showField, showHeader, tableLines, templateLines, toYaml, xmlToJson, type Column } from './output.js';
export { idByName, KIND_COMMAND, KIND_LABEL, rangeWords, Resolver } from './resolve.js';
export { COMMON_OPTIONS, describeError, parseLine, runCli } from './run.js';
export { delaySeconds, eachId, readTemplateFile, refresh, templateFromFileOrEditor } from './actions.js';
export { chmodSubcommand, chownSubcommand, deleteSubcommand, idArg, rangeArg, renameSubcommand, updateSubcommand, type ResourceOf } from './subcommands.js';
export { dateTime, percent, permissionTriples, size } from './format.js';

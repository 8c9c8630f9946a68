#!/usr/bin/env node
/** The `onetemplate` command. */
import { onetemplate } from '../commands/onetemplate.js';
import { runCli } from '../run.js';

runCli(onetemplate, process.argv.slice(2)).then((code) => process.exit(code));

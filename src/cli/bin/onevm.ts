#!/usr/bin/env node
/** The `onevm` command. */
import { onevm } from '../commands/onevm.js';
import { runCli } from '../run.js';

runCli(onevm, process.argv.slice(2)).then((code) => process.exit(code));

#!/usr/bin/env node
/** The `oneimage` command. */
import { oneimage } from '../commands/oneimage.js';
import { runCli } from '../run.js';

runCli(oneimage, process.argv.slice(2)).then((code) => process.exit(code));

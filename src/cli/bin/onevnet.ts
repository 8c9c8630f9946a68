#!/usr/bin/env node
/** The `onevnet` command. */
import { onevnet } from '../commands/onevnet.js';
import { runCli } from '../run.js';

runCli(onevnet, process.argv.slice(2)).then((code) => process.exit(code));

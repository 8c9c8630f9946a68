#!/usr/bin/env node
import { onevrouter } from '../commands/onevrouter.js';
import { runCli } from '../run.js';

runCli(onevrouter, process.argv.slice(2)).then((c) => process.exit(c));

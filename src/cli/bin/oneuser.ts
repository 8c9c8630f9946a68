#!/usr/bin/env node
import { oneuser } from '../commands/oneuser.js';
import { runCli } from '../run.js';

runCli(oneuser, process.argv.slice(2)).then((code) => process.exit(code));

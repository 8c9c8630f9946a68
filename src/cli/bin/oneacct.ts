#!/usr/bin/env node
import { oneacct } from '../commands/oneacct.js';
import { runCli } from '../run.js';

runCli(oneacct, process.argv.slice(2)).then((code) => process.exit(code));

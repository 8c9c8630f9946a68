#!/usr/bin/env node
import { onegroup } from '../commands/onegroup.js';
import { runCli } from '../run.js';

runCli(onegroup, process.argv.slice(2)).then((code) => process.exit(code));

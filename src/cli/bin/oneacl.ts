#!/usr/bin/env node
import { oneacl } from '../commands/oneacl.js';
import { runCli } from '../run.js';

runCli(oneacl, process.argv.slice(2)).then((code) => process.exit(code));

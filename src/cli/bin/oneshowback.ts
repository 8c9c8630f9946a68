#!/usr/bin/env node
import { oneshowback } from '../commands/oneshowback.js';
import { runCli } from '../run.js';

runCli(oneshowback, process.argv.slice(2)).then((code) => process.exit(code));

#!/usr/bin/env node
import { onehost } from '../commands/onehost.js';
import { runCli } from '../run.js';

runCli(onehost, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onezone } from '../commands/onezone.js';
import { runCli } from '../run.js';

runCli(onezone, process.argv.slice(2)).then((c) => process.exit(c));

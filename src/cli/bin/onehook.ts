#!/usr/bin/env node
import { onehook } from '../commands/onehook.js';
import { runCli } from '../run.js';

runCli(onehook, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onevdc } from '../commands/onevdc.js';
import { runCli } from '../run.js';

runCli(onevdc, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onevmgroup } from '../commands/onevmgroup.js';
import { runCli } from '../run.js';

runCli(onevmgroup, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onesecgroup } from '../commands/onesecgroup.js';
import { runCli } from '../run.js';

runCli(onesecgroup, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onedatastore } from '../commands/onedatastore.js';
import { runCli } from '../run.js';

runCli(onedatastore, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onecluster } from '../commands/onecluster.js';
import { runCli } from '../run.js';

runCli(onecluster, process.argv.slice(2)).then((c) => process.exit(c));

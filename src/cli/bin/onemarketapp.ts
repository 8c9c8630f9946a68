#!/usr/bin/env node
import { onemarketapp } from '../commands/onemarket.js';
import { runCli } from '../run.js';

runCli(onemarketapp, process.argv.slice(2)).then((c) => process.exit(c));

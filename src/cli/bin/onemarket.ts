#!/usr/bin/env node
import { onemarket } from '../commands/onemarket.js';
import { runCli } from '../run.js';

runCli(onemarket, process.argv.slice(2)).then((c) => process.exit(c));

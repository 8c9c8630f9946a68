#!/usr/bin/env node
import { oneflow } from '../commands/oneflow.js';
import { runCli } from '../run.js';

runCli(oneflow, process.argv.slice(2)).then((c) => process.exit(c));

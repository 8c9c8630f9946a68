#!/usr/bin/env node
import { onebackupjob } from '../commands/onebackupjob.js';
import { runCli } from '../run.js';

runCli(onebackupjob, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { oneflowTemplate } from '../commands/oneflow-template.js';
import { runCli } from '../run.js';

runCli(oneflowTemplate, process.argv.slice(2)).then((c) => process.exit(c));

#!/usr/bin/env node
import { onevntemplate } from '../commands/onevntemplate.js';
import { runCli } from '../run.js';

runCli(onevntemplate, process.argv.slice(2)).then((c) => process.exit(c));

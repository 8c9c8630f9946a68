#!/usr/bin/env node
import { oneacct } from '../commands/oneacct.js';
import { runCli } from '../run.js';

// OpenNebula's oneacct takes its options directly (`oneacct -u ann`): `show` is implied.
const argv = process.argv.slice(2);
const implied = argv.length === 0 || (argv[0]!.startsWith('-') && argv[0] !== '-h' && argv[0] !== '--help');
runCli(oneacct, implied ? ['show', ...argv] : argv).then((code) => process.exit(code));

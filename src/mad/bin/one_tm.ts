#!/usr/bin/env node
/** The `one_tm` driver on its own process's stdin/stdout (src/mad/builtin/one_tm.ts). */
import { setup } from '../builtin/one_tm.js';
import { runDriver } from '../server/index.js';

runDriver('one_tm', () => setup(process.argv.slice(2)));

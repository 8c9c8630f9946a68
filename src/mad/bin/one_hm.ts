#!/usr/bin/env node
/** The `one_hm` driver on its own process's stdin/stdout (src/mad/builtin/one_hm.ts). */
import { setup } from '../builtin/one_hm.js';
import { runDriver } from '../server/index.js';

runDriver('one_hm', () => setup(process.argv.slice(2)));

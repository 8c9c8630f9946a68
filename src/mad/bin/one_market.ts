#!/usr/bin/env node
/** The `one_market` driver on its own process's stdin/stdout (src/mad/builtin/one_market.ts). */
import { setup } from '../builtin/one_market.js';
import { runDriver } from '../server/index.js';

runDriver('one_market', () => setup(process.argv.slice(2)));

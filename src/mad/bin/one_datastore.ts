#!/usr/bin/env node
/** The `one_datastore` driver on its own process's stdin/stdout (src/mad/builtin/one_datastore.ts). */
import { setup } from '../builtin/one_datastore.js';
import { runDriver } from '../server/index.js';

runDriver('one_datastore', () => setup(process.argv.slice(2)));

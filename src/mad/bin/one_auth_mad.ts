#!/usr/bin/env node
/** The `one_auth_mad` driver on its own process's stdin/stdout (src/mad/builtin/one_auth_mad.ts). */
import { setup } from '../builtin/one_auth_mad.js';
import { runDriver } from '../server/index.js';

runDriver('one_auth_mad', () => setup(process.argv.slice(2)));

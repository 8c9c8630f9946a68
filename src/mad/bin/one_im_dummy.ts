#!/usr/bin/env node
/** The `one_im_dummy` driver on its own process's stdin/stdout (src/mad/builtin/one_im_dummy.ts). */
import { setup } from '../builtin/one_im_dummy.js';
import { runDriver } from '../server/index.js';

runDriver('one_im_dummy', () => setup(process.argv.slice(2)));

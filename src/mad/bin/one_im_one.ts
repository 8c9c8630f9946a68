#!/usr/bin/env node
/** The `one_im_one` driver on its own process's stdin/stdout (src/mad/builtin/one_im_one.ts). */
import { setup } from '../builtin/one_im_one.js';
import { runDriver } from '../server/index.js';

runDriver('one_im_one', () => setup(process.argv.slice(2)));

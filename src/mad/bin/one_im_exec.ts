#!/usr/bin/env node
/** The `one_im_exec` driver on its own process's stdin/stdout (src/mad/builtin/one_im_exec.ts). */
import { setup } from '../builtin/one_im_exec.js';
import { runDriver } from '../server/index.js';

runDriver('one_im_exec', () => setup(process.argv.slice(2)));

#!/usr/bin/env node
/** The `one_vmm_dummy` driver on its own process's stdin/stdout (src/mad/builtin/one_vmm_dummy.ts). */
import { setup } from '../builtin/one_vmm_dummy.js';
import { runDriver } from '../server/index.js';

runDriver('one_vmm_dummy', () => setup(process.argv.slice(2)));

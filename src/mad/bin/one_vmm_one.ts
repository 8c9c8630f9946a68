#!/usr/bin/env node
/** The `one_vmm_one` driver on its own process's stdin/stdout (src/mad/builtin/one_vmm_one.ts). */
import { setup } from '../builtin/one_vmm_one.js';
import { runDriver } from '../server/index.js';

runDriver('one_vmm_one', () => setup(process.argv.slice(2)));

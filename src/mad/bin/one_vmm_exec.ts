#!/usr/bin/env node
/** The `one_vmm_exec` driver on its own process's stdin/stdout (src/mad/builtin/one_vmm_exec.ts). */
import { setup } from '../builtin/one_vmm_exec.js';
import { runDriver } from '../server/index.js';

runDriver('one_vmm_exec', () => setup(process.argv.slice(2)));

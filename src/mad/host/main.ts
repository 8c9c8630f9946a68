#!/usr/bin/env node
/**
 * The driver host process: runs several built-in drivers in one process for oned, each on its own
 * channel of stdin/stdout (src/mad/host). Not named in oned.conf: oned starts it for the built-in
 * drivers it runs (DRIVER_PROCESSES, docs/drivers.md).
 */
import { loadBuiltinDriver } from '../builtin/index.js';
import { DriverHostServer } from './host-server.js';

// oned gone: nobody to answer to.
process.stdout.on('error', () => process.exit(0));
new DriverHostServer({ input: process.stdin, output: process.stdout, load: loadBuiltinDriver, onExit: () => process.exit(0) }).start();

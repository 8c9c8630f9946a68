#!/usr/bin/env node
/** `occi-storage <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { STORAGE, runTool } from '../cli/tools.js';

// exit at once: the kept-alive connection of fetch would hold the process for seconds
process.exit(await runTool('occi-storage', STORAGE, process.argv.slice(2)));

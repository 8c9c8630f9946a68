#!/usr/bin/env node
/** `occi-network <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { NETWORK, runTool } from '../cli/tools.js';

// exit at once: the kept-alive connection of fetch would hold the process for seconds
process.exit(await runTool('occi-network', NETWORK, process.argv.slice(2)));

#!/usr/bin/env node
/** `occi-instance-type <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { INSTANCE_TYPE, runTool } from '../cli/tools.js';

// exit at once: the kept-alive connection of fetch would hold the process for seconds
process.exit(await runTool('occi-instance-type', INSTANCE_TYPE, process.argv.slice(2)));

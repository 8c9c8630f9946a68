#!/usr/bin/env node
/** `occi-compute <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { COMPUTE, runTool } from '../cli/tools.js';

process.exitCode = await runTool('occi-compute', COMPUTE, process.argv.slice(2));

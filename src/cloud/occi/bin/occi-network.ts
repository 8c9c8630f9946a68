#!/usr/bin/env node
/** `occi-network <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { NETWORK, runTool } from '../cli/tools.js';

process.exitCode = await runTool('occi-network', NETWORK, process.argv.slice(2));

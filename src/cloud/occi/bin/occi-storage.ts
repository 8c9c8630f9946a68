#!/usr/bin/env node
/** `occi-storage <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { STORAGE, runTool } from '../cli/tools.js';

process.exitCode = await runTool('occi-storage', STORAGE, process.argv.slice(2));

#!/usr/bin/env node
/** `occi-instance-type <command> [options]`: OpenNebula 3.x's OCCI command (cli/tools.ts). */
import { INSTANCE_TYPE, runTool } from '../cli/tools.js';

process.exitCode = await runTool('occi-instance-type', INSTANCE_TYPE, process.argv.slice(2));

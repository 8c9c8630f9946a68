#!/usr/bin/env node
/** The `one_im_ec2` driver on its own process's stdin/stdout (src/mad/builtin/one_im_ec2.ts). */
import { setup } from '../builtin/one_im_ec2.js';
import { runDriver } from '../server/index.js';

runDriver('one_im_ec2', () => setup(process.argv.slice(2)));

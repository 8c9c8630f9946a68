#!/usr/bin/env node
/**
 * `one_im_one [-t threads] [-c confirm_seconds]`: the `one` hybrid information driver: reports the capacity and use of
 * another OpenNebula or nebula-ts, the host's template saying where and with which credentials (docs/hybrid.md).
 */
import { OneCloud } from '../one/index.js';
import { runHybridDriver } from '../hybrid/index.js';

runHybridDriver('one_im_one', new OneCloud(), 'im');

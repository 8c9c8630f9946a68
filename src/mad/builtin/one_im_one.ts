/**
 * `one_im_one [-t threads] [-c confirm_seconds]`: the `one` hybrid information driver: reports the capacity and use of
 * another OpenNebula or nebula-ts, the host's template saying where and with which credentials (docs/hybrid.md).
 */
import { OneCloud } from '../one/index.js';
import { hybridSetup } from '../hybrid/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => hybridSetup(new OneCloud(), 'im', argv);

/**
 * `one_vmm_one [-t threads] [-c confirm_seconds]`: the `one` hybrid virtualization driver: runs VMs as instances of
 * another OpenNebula or nebula-ts, the host's template saying where and with which credentials (docs/hybrid.md).
 */
import { OneCloud } from '../one/index.js';
import { hybridSetup } from '../hybrid/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => hybridSetup(new OneCloud(), 'vmm', argv);

/**
 * `one_vmm_ec2 [-t threads] [-c confirm_seconds]`: the `ec2` hybrid virtualization driver: runs VMs as instances of
 * Amazon EC2 (or any EC2 endpoint), the host's template saying where and with which credentials (docs/hybrid.md).
 */
import { Ec2Cloud } from '../ec2/index.js';
import { hybridSetup } from '../hybrid/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => hybridSetup(new Ec2Cloud(), 'vmm', argv);

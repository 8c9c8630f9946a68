#!/usr/bin/env node
/**
 * `one_im_ec2 [-t threads] [-c confirm_seconds]`: the `ec2` hybrid information driver: reports the capacity and use of
 * Amazon EC2 (or any EC2 endpoint), the host's template saying where and with which credentials (docs/hybrid.md).
 */
import { Ec2Cloud } from '../ec2/index.js';
import { runHybridDriver } from '../hybrid/index.js';

runHybridDriver('one_im_ec2', new Ec2Cloud(), 'im');

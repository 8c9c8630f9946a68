/**
 * The EC2 actions econe-server answers, by name. Each module exports a record of its actions;
 * an action missing here is answered with UnsupportedOperation.
 */
import type { Ec2Action } from '../context.js';
import { addressActions } from './addresses.js';
import { imageActions } from './images.js';
import { instanceActions } from './instances.js';
import { keyPairActions } from './keypairs.js';
import { regionActions } from './regions.js';
import { securityGroupActions } from './secgroups.js';
import { snapshotActions } from './snapshots.js';
import { tagActions } from './tags.js';
import { volumeActions } from './volumes.js';

export const ACTIONS: Readonly<Record<string, Ec2Action>> = {
  ...instanceActions,
  ...keyPairActions,
  ...tagActions,
  ...regionActions,
  ...imageActions,
  ...volumeActions,
  ...snapshotActions,
  ...addressActions,
  ...securityGroupActions,
};

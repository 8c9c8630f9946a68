/**
 * The EC2 actions econe-server answers, by name. Each module exports a record of its actions;
 * an action missing here is answered with UnsupportedOperation.
 */
import type { Ec2Action } from '../context.js';
import { instanceActions } from './instances.js';
import { keyPairActions } from './keypairs.js';
import { regionActions } from './regions.js';
import { tagActions } from './tags.js';

export const ACTIONS: Readonly<Record<string, Ec2Action>> = {
  ...instanceActions,
  ...keyPairActions,
  ...tagActions,
  ...regionActions,
};

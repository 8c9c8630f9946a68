/**
 * The EC2 actions econe-server answers, by name. Each module exports a record of its actions;
 * an action missing here is answered with UnsupportedOperation.
 */
import type { Ec2Action } from '../context.js';
import { regionActions } from './regions.js';

export const ACTIONS: Readonly<Record<string, Ec2Action>> = {
  ...regionActions,
};

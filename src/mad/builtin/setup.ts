/** What a built-in driver is: a function from its argv to its action table. */
import type { DriverConfig } from '../server/index.js';

/**
 * Builds a driver's handlers from its arguments (oned.conf's ARGUMENTS, split), reading its
 * environment from `process.env`. @throws Error on bad arguments (the driver does not start).
 */
export type DriverSetup = (argv: readonly string[]) => DriverConfig;

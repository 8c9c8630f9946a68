/**
 * Setup of the hybrid drivers: `<name> [-t threads] [-c confirm_seconds]`. `-c` is how long a
 * terminate or stop keeps asking the remote cloud to confirm it (default 600; keep it below the
 * VM_MAD entry's TIMEOUT).
 */
import { intOption, parseDriverArgs, type DriverConfig } from '../server/index.js';
import { HybridDriver } from './actions.js';
import type { HybridCloud } from './cloud.js';
import { OcaHostSource } from './host-lookup.js';

export const DEFAULT_CONFIRM_SEC = 600;

/** The action table of a hybrid driver of `cloud` (its VMM or its IM side), from its argv. */
export function hybridSetup<C>(cloud: HybridCloud<C>, side: 'vmm' | 'im', argv: readonly string[]): DriverConfig {
  const args = parseDriverArgs(argv, { confirm: { type: 'string', short: 'c' } });
  const driver = new HybridDriver(cloud, { hosts: new OcaHostSource(), confirmSec: intOption(args.values.confirm, '-c', DEFAULT_CONFIRM_SEC, 1) });
  return { actions: side === 'vmm' ? driver.vmmActions() : driver.imActions(), concurrency: args.threads };
}

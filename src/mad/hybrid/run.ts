/**
 * Entry of the hybrid driver executables: `<name> [-t threads] [-c confirm_seconds]`. `-c` is how
 * long a terminate or stop keeps asking the remote cloud to confirm it (default 600; keep it
 * below the VM_MAD entry's TIMEOUT).
 */
import { intOption, parseDriverArgs, runDriver } from '../server/index.js';
import { HybridDriver } from './actions.js';
import type { HybridCloud } from './cloud.js';
import { OcaHostSource } from './host-lookup.js';

export const DEFAULT_CONFIRM_SEC = 600;

export function runHybridDriver<C>(name: string, cloud: HybridCloud<C>, side: 'vmm' | 'im'): void {
  runDriver(name, () => {
    const args = parseDriverArgs(process.argv.slice(2), { confirm: { type: 'string', short: 'c' } });
    const driver = new HybridDriver(cloud, { hosts: new OcaHostSource(), confirmSec: intOption(args.values.confirm, '-c', DEFAULT_CONFIRM_SEC, 1) });
    return { actions: side === 'vmm' ? driver.vmmActions() : driver.imActions(), concurrency: args.threads };
  });
}

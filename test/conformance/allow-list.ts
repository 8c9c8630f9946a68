/**
 * Differences from OpenNebula 7.4 that the conformance test accepts, each with the reason. Keep it
 * short: an entry here is a promise that clients do not notice the difference.
 */
import type { Difference } from './structure.js';
import type { Step } from './steps.js';

interface Allowance {
  /** Reference step numbers it applies to (all when absent). */
  readonly steps?: readonly number[];
  /** Matches the difference's path. */
  readonly path: RegExp;
  /** Matches the difference's description (any when absent). */
  readonly what?: RegExp;
  /** Why the difference is harmless or cannot be avoided. */
  readonly why: string;
}

export const ALLOW_LIST: readonly Allowance[] = [
  {
    steps: [2],
    path: /^OPENNEBULA_CONFIGURATION\//,
    what: /^extra/,
    why:
      'one.system.config lists oned.conf, and ours has settings 7.4 keeps elsewhere (monitord.conf: HOST_MONITORING_*, VM_POLLING_INTERVAL, ' +
      'VM_MONITORING_EXPIRATION_TIME) or has not (SCHEDULER, AUTH_TIMEOUT, PASSWORD_SCRYPT_COST, DEFAULT_CDROM_DEVICE_PREFIX, driver TIMEOUTs, ' +
      'a second IM_MAD, VLAN_ID / OUTER_VLAN_ID / BRIDGE_TYPE in VNET_RESTRICTED_ATTR since users own reservations); clients read keys by name',
  },
  {
    steps: [2],
    path: /^OPENNEBULA_CONFIGURATION\/IM_MAD\[0\]\/THREADS$/,
    why: 'our IM_MADs are the drivers oned runs (dummy, kvm over ssh), not 7.4\'s monitord with its thread count',
  },
  {
    path: /^(VM_POOL\/|HISTORY_RECORDS\/HISTORY\/)?VM\/TEMPLATE\/OS\/MACHINE$/,
    what: /^missing/,
    why:
      '7.4 gives every VM OS/MACHINE = "q35", whose chipset has no IDE bus; our default DEV_PREFIX is "hd" (IDE, the bus of the ' +
      'guests and CD-ROM contexts our kvm/qemu hosts boot), so a VM gets the hypervisor\'s default machine unless it names one. ' +
      'Clients that read OS/MACHINE find it absent, as for any VM made before 7.x',
  },
  {
    path: /^(USER_POOL\/)?USER(\[\d+\])?\/TEMPLATE\/EC2_SECRET_KEY$/,
    what: /^extra/,
    why:
      'every user has an EC2 secret access key (encrypted) for our EC2 Query API, which 7.4 no longer has; an extra template ' +
      'attribute, which clients read by name or ignore',
  },
];

export function allowed(step: Step, d: Difference): boolean {
  return ALLOW_LIST.some((a) => (a.steps === undefined || a.steps.includes(step.n)) && a.path.test(d.path) && (a.what === undefined || a.what.test(d.what)));
}

/**
 * The burst policy: local hosts first, hybrid (public-cloud) hosts only when no local host can
 * take the VM. A host is hybrid when its template says PUBLIC_CLOUD = "YES" (as OpenNebula's
 * hybrid drivers mark their hosts) or its VM_MAD is one of the cloud drivers, `ec2` and `one`.
 *
 * SCHED_BURST in a VM's template (default: sched.conf's DEFAULT_BURST, itself AUTO) says how:
 *   AUTO   hybrid hosts rank below every local host, whatever the rank: the VM bursts only when
 *          no local host fits (its SCHED_MESSAGE then says so)
 *   NEVER  hybrid hosts are filtered out
 *   RANK   no preference: the rank alone orders local and hybrid hosts (a SCHED_RANK may then
 *          prefer the cloud, e.g. "PUBLIC_CLOUD = \"YES\"")
 * A SCHED_REQUIREMENTS that only hybrid hosts meet sends the VM to the cloud under AUTO too.
 */

export const BurstPolicy = { AUTO: 'AUTO', NEVER: 'NEVER', RANK: 'RANK' } as const;
export type BurstPolicyValue = (typeof BurstPolicy)[keyof typeof BurstPolicy];

/** VM_MADs of drivers that run VMs in another cloud. */
export const HYBRID_VM_MADS: ReadonlySet<string> = new Set(['ec2', 'one']);

/** Whether a host with these attributes is a hybrid (public-cloud) one. */
export function isHybridHost(publicCloud: string | undefined, vmMad: string | undefined): boolean {
  return (publicCloud ?? '').trim().toUpperCase() === 'YES' || HYBRID_VM_MADS.has((vmMad ?? '').trim().toLowerCase());
}

/** A SCHED_BURST / DEFAULT_BURST value; '' gives `fallback`. */
export function parseBurst(text: string, fallback: BurstPolicyValue): BurstPolicyValue {
  const v = text.trim().toUpperCase();
  if (v === '') return fallback;
  if (v === 'AUTO' || v === 'NEVER' || v === 'RANK') return v;
  throw new RangeError('must be AUTO, NEVER or RANK');
}

/**
 * What a hybrid driver needs of the cloud it bursts to: a host (a region and account, or a
 * remote OpenNebula) is a connection; instances are found by deploy id or by the tags the
 * driver gave them (the VM id and the host's name), so none is lost track of.
 */
import type { HybridHost } from './host-lookup.js';
import type { HybridVm, Settings } from './settings.js';

/** Where an instance is, in the drivers' own words (each cloud maps its states to these). */
export type RemoteState = 'pending' | 'running' | 'stopping' | 'stopped' | 'terminating' | 'terminated' | 'failed';

/** States in which an instance holds capacity and must be ended before its VM leaves the host. */
export const LIVE_STATES: ReadonlySet<RemoteState> = new Set(['pending', 'running', 'stopping', 'stopped']);

export interface RemoteInstance {
  /** The cloud's id of the instance: the VM's DEPLOY_ID. */
  readonly deployId: string;
  /** The VM id the instance was tagged with (-1 for none). */
  readonly vmId: number;
  readonly state: RemoteState;
  /** The remote side's reason for its state (why it stopped or failed), '' when none. */
  readonly reason: string;
  /** What the instance takes of the host's capacity: cores and MB. */
  readonly cpu: number;
  readonly memoryMb: number;
  /** Instance type (ec2), '' when the cloud has none. */
  readonly type: string;
  /** Monitoring values for the VM (IPs, names...), keys in upper case. */
  readonly monitoring: ReadonlyMap<string, string>;
}

/** A host's capacity: cores and MB. */
export interface HostCapacity {
  readonly cpu: number;
  readonly memoryMb: number;
}

export interface HybridCloud<C> {
  /** Driver kind in messages and HYPERVISOR (`ec2`, `one`). */
  readonly kind: string;
  /** PUBLIC_CLOUD TYPEs (upper case) whose sections the driver reads. */
  readonly publicCloudTypes: readonly string[];
  /** A connection for the host's template. @throws Error naming what the template lacks */
  connect(host: HybridHost): Promise<C>;
  /** The host's whole capacity, from its template. @throws Error on a bad capacity */
  capacity(host: HybridHost): HostCapacity;
  /** The instance, or undefined when the remote side does not know it. */
  describe(conn: C, deployId: string): Promise<RemoteInstance | undefined>;
  /** Every instance the drivers made for this host (tagged with its name), terminated ones included while the remote lists them. */
  list(conn: C, host: HybridHost): Promise<RemoteInstance[]>;
  /**
   * Starts a new instance for the VM, tagged with its id and the host's name; returns its id.
   * `instances` are the host's (from list) for the capacity check. @throws Error (no capacity, bad template, remote refusal)
   */
  launch(conn: C, host: HybridHost, vm: HybridVm, section: Settings, instances: readonly RemoteInstance[]): Promise<string>;
  start(conn: C, deployId: string): Promise<void>;
  stop(conn: C, deployId: string): Promise<void>;
  reboot(conn: C, deployId: string): Promise<void>;
  /** Asks for the instance's end (not waiting for it); an instance already gone is not an error. */
  terminate(conn: C, deployId: string): Promise<void>;
}

/** The VM's poll text for an instance (OpenNebula's `STATE=a KEY=VALUE ...`). */
export function pollText(inst: RemoteInstance | undefined, missing = 'the instance is not known to the remote cloud'): string {
  const quote = (v: string) => `"${v.replace(/["\\]/g, ' ').replace(/\s+/g, ' ').trim()}"`;
  if (!inst) return `STATE=e ERROR=${quote(missing)}`;
  let text: string;
  switch (inst.state) {
    case 'pending':
    case 'running':
      text = 'STATE=a';
      break;
    case 'stopping':
    case 'stopped':
      text = 'STATE=d';
      break;
    default:
      text = `STATE=e ERROR=${quote(`the instance ${inst.deployId} is ${inst.state} on the remote cloud${inst.reason ? `: ${inst.reason}` : ''}`)}`;
  }
  for (const [k, v] of inst.monitoring) if (v !== '') text += ` ${k}=${/^[\w.:/-]+$/.test(v) ? v : quote(v)}`;
  return text;
}

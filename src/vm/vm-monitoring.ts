/**
 * VM monitoring samples: what a VMM POLL answers (`STATE=a CPU=12 MEMORY=524288 NETRX=0 ...`) or a
 * host's IM report carries per VM (`VM = [ ID, DEPLOY_ID, POLL = "..." ]`, or `MONITOR` in
 * base64), parsed into the hypervisor state and a `<MONITORING>` element.
 */
import { xmlElement } from '../common/xml.js';

/** What the hypervisor says of a VM (§4.4): a running, p paused, e error, d gone, - unknown. */
export type HypervisorState = 'a' | 'p' | 'e' | 'd' | '-';

export interface VmSample {
  readonly vid: number;
  readonly timestamp: number;
  readonly state: HypervisorState;
  /** `<MONITORING>` with ID, TIMESTAMP and every reported key but STATE. */
  readonly xml: string;
  /** What the hypervisor (or the remote cloud) says of an error state (ERROR=...), '' when nothing. */
  readonly error?: string;
}

/** HEAD's state words and the 3.x-5.10 letters, as one letter. */
const STATES: Readonly<Record<string, HypervisorState>> = {
  a: 'a', p: 'p', e: 'e', d: 'd', '-': '-',
  RUNNING: 'a', POWEROFF: 'd', SUSPENDED: 'p', PAUSED: 'p', FAILURE: 'e', ERROR: 'e', UNKNOWN: '-',
};

/** Splits `KEY=VALUE KEY="a b" ...` (blank or newline separated) into pairs. */
export function parsePollText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.set(m[1]!.toUpperCase(), m[3] ?? m[2]!);
  return out;
}

/** A sample from poll values; the state is '-' when not reported. */
export function sampleOf(vid: number, values: ReadonlyMap<string, string>, timestamp: number): VmSample {
  const state = STATES[values.get('STATE') ?? '-'] ?? '-';
  let xml = `<MONITORING><ID>${vid}</ID><TIMESTAMP>${timestamp}</TIMESTAMP>`;
  for (const [k, v] of values) if (k !== 'STATE' && /^[A-Z_][A-Z0-9_]*$/.test(k)) xml += xmlElement(k, v);
  return { vid, timestamp, state, xml: `${xml}</MONITORING>`, error: values.get('ERROR') ?? '' };
}

/** The poll text of a VM in an IM report: `POLL` as is, or `MONITOR` base64-encoded. */
export function reportedPoll(vector: ReadonlyMap<string, string>): string {
  const poll = vector.get('POLL');
  if (poll !== undefined) return poll;
  const monitor = vector.get('MONITOR');
  return monitor === undefined ? '' : Buffer.from(monitor, 'base64').toString('utf8');
}

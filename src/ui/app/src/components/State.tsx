import { vmStateName, vmStateTone } from '../states';

/** A VM's state as a coloured badge (the LCM state while ACTIVE). */
export function VmState({ state, lcm }: { state: number; lcm: number }) {
  return <span className={`state ${vmStateTone(state, lcm)}`}>{vmStateName(state, lcm)}</span>;
}

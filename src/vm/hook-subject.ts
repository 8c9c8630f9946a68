/** A VM as VM_HOOK commands see it (src/hm). */
import type { VmHookSubject } from '../hm/index.js';
import type { VirtualMachine } from './virtual-machine.js';
import { lcmStateName, stateName } from './vm-state.js';

/** A VM as its hooks see it, in the state it just entered. */
export function vmHookSubject(vm: VirtualMachine, prevState: number, prevLcmState: number): VmHookSubject {
  return {
    oid: vm.oid,
    state: stateName(vm.state),
    lcmState: lcmStateName(vm.lcmState),
    prevState,
    prevLcmState,
    hostname: vm.lastHistory?.placement.hostname,
    xml: vm.toXml(),
  };
}

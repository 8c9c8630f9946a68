/**
 * What the hybrid drivers (`ec2`, `one`) share: the host template read from oned, the VM from
 * the action data, the VMM and IM actions on top of a HybridCloud, confirmed terminations.
 */
export { LIVE_STATES, pollText, type HostCapacity, type HybridCloud, type RemoteInstance, type RemoteState } from './cloud.js';
export { HybridDriver, type HybridOptions } from './actions.js';
export { DEFAULT_CONFIRM_SEC, hybridSetup } from './run.js';
export { OcaHostSource, type HostSource, type HybridHost } from './host-lookup.js';
export { publicCloudFor, required, settingsOf, vmOfActionData, type HybridVm, type Settings } from './settings.js';

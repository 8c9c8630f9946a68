/** The `ec2` hybrid drivers (VM_MAD and IM_MAD `ec2`): see ec2-cloud.ts and docs/hybrid.md. */
export { Ec2Cloud, HOST_TAG, VM_TAG, type Ec2Connection } from './ec2-cloud.js';
export { capacityCounts, capacityKey, typeOfKey, typeSize } from './instance-types.js';

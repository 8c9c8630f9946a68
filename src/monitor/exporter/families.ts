/**
 * The metric families of OpenNebula's Prometheus exporter (`opennebula-exporter`, the
 * opennebula-prometheus package), with its names, types (all gauges), labels and help: dashboards
 * and alert rules written for OpenNebula's exporter read these unchanged. docs/monitoring.md lists
 * them and what each reads.
 */
import type { FamilySpec } from './exposition.js';

const HOST = ['one_host_id'] as const;
const VM = ['one_vm_id'] as const;
const DS = ['one_datastore_id'] as const;
const SERVER = ['one_server_fqdn'] as const;

function family(name: string, help: string, labels: readonly string[]): FamilySpec {
  return { name: `opennebula_${name}`, help, labels };
}

export const HOST_FAMILIES = {
  total: family('host_total', 'Total number of Hosts defined in OpenNebula', []),
  state: family('host_state', 'Host state 0:init 2:monitored 3:error 4:disabled 8:offline', HOST),
  memTotal: family('host_mem_total_bytes', 'Total memory capacity', HOST),
  memMaximum: family('host_mem_maximum_bytes', 'Total memory capacity considering overcommitment', HOST),
  memUsage: family('host_mem_usage_bytes', 'Total memory capacity allocated to VMs', HOST),
  cpuTotal: family('host_cpu_total_ratio', 'Total CPU capacity', HOST),
  cpuMaximum: family('host_cpu_maximum_ratio', 'Total CPU capacity considering overcommitment', HOST),
  cpuUsage: family('host_cpu_usage_ratio', 'Total CPU capacity allocated to VMs', HOST),
  vms: family('host_vms', 'Number of VMs allocated to the Host', HOST),
} as const;

export const DATASTORE_FAMILIES = {
  total: family('datastore_total', 'Total number of datastores defined in OpenNebula', []),
  totalBytes: family('datastore_total_bytes', 'Total capacity of the datastore', DS),
  usedBytes: family('datastore_used_bytes', 'Capacity being used in the datastore', DS),
  freeBytes: family('datastore_free_bytes', 'Available capacity in the datastore', DS),
  images: family('datastore_images', 'Number of images stored in the datastore', DS),
} as const;

export const VM_FAMILIES = {
  total: family('vm_total', 'Total number of VMs defined in OpenNebula', []),
  hostId: family('vm_host_id', 'Host ID where the VM is allocated', VM),
  state: family('vm_state', 'VM state 0:init 1:pending 2:hold 3:active 4:stopped 5:suspended 6:done 8:poweroff 9:undeployed 10:cloning', VM),
  lcmState: family('vm_lcm_state', 'VM LCM state, only relevant for state 3 (active)', VM),
  memTotal: family('vm_mem_total_bytes', 'Total memory capacity', VM),
  cpu: family('vm_cpu_ratio', 'Total CPU capacity requested by the VM', VM),
  vcpus: family('vm_cpu_vcpus', 'Total number of virtual CPUs', VM),
  disks: family('vm_disks', 'Total number of disks', VM),
  diskSize: family('vm_disk_size_bytes', 'Size of the VM disk', [...VM, 'disk_id']),
  nics: family('vm_nics', 'Total number of network interfaces', VM),
} as const;

/**
 * The services of the front-end. OpenNebula reads each systemd unit's state; the hook manager is
 * part of oned in nebula-ts, so its state is oned's. OneGate has no server here: not exported.
 */
export const SERVER_FAMILIES = {
  oned: family('oned_state', 'OpenNebula oned service state 0:down 1:up', SERVER),
  scheduler: family('scheduler_state', 'OpenNebula scheduler service state 0:down 1:up', SERVER),
  flow: family('flow_state', 'OpenNebula Flow service state 0:down 1:up', SERVER),
  hem: family('hem_state', 'OpenNebula hook manager service state 0:down 1:up', SERVER),
} as const;

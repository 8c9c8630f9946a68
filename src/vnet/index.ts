/** Virtual networks: address arithmetic, address ranges and leases, networks, their pool, NIC context. */
export * from './address.js';
export * from './address-range.js';
export * from './virtual-network.js';
export * from './network-template.js';
export * from './vnet-pool.js';
export * from './nic-context.js';
export * from './lease-table.js';
export * from './vlan-ids.js';

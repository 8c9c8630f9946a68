/**
 * The CONTEXT variables of a NIC (`ETH<i>_IP`, `ETH<i>_MAC`, `ETH<i>_GATEWAY`...), as OpenNebula
 * builds them for the guest's contextualization. Each value is the NIC's attribute, else the
 * lease's AR's, else the network's.
 */
import type { Vector } from '../common/template/index.js';
import type { VirtualNetwork } from './virtual-network.js';

/** Context variable suffix → the attributes it comes from, first found wins. */
const CONTEXT_SOURCES: readonly (readonly [string, readonly string[]])[] = [
  ['IP', ['IP']],
  ['MAC', ['MAC']],
  ['MASK', ['NETWORK_MASK']],
  ['NETWORK', ['NETWORK_ADDRESS']],
  ['GATEWAY', ['GATEWAY']],
  ['DNS', ['DNS']],
  ['SEARCH_DOMAIN', ['SEARCH_DOMAIN']],
  ['MTU', ['GUEST_MTU']],
  ['VLAN_ID', ['VLAN_ID']],
  ['IP6', ['IP6_GLOBAL', 'IP6']],
  ['IP6_ULA', ['IP6_ULA']],
  ['IP6_PREFIX_LENGTH', ['PREFIX_LENGTH']],
  ['GATEWAY6', ['GATEWAY6']],
  // A virtual router VM's NIC: the floating addresses it shares with the router's other VMs.
  ['VROUTER_IP', ['VROUTER_IP']],
  ['VROUTER_IP6', ['VROUTER_IP6_GLOBAL', 'VROUTER_IP6']],
  ['VROUTER_MANAGEMENT', ['VROUTER_MANAGEMENT']],
];

/** The context variables of NIC number `index` (ETH<index>_…), only those with a value. */
export function nicContext(nic: Vector, vnet: VirtualNetwork, index: number): Record<string, string> {
  const ar = vnet.ars.get(Number(nic.get('AR_ID') ?? -1));
  const lookup = (name: string) => nic.get(name) || ar?.get(name) || vnet.attribute(name) || '';
  const out: Record<string, string> = {};
  for (const [suffix, sources] of CONTEXT_SOURCES) {
    for (const name of sources) {
      const value = lookup(name);
      if (value !== '') {
        out[`ETH${index}_${suffix}`] = value;
        break;
      }
    }
  }
  return out;
}

/** A host's PCI devices (HOST_SHARE/PCI_DEVICES/PCI, as its probes report them) and the VM holding each. */
import { Link } from 'react-router';
import { asArray, type Tree } from '../../api';
import { HeadedTable } from '../../components/HeadedTable';

export function hostPciDevices(host: Tree): Tree[] {
  return asArray<Tree>(host?.HOST_SHARE?.PCI_DEVICES?.PCI);
}

/** "10de:0863:0302", the ids a PCI request names. */
export const pciIds = (d: Tree) => [d.VENDOR, d.DEVICE, d.CLASS].map((v) => String(v ?? '-')).join(':');

export function HostPci({ host }: { host: Tree }) {
  const devices = hostPciDevices(host);
  if (devices.length === 0) return <p className="panel">This host reports no PCI devices.</p>;
  return (
    // Focusable: the wide table scrolls sideways from the keyboard too.
    <HeadedTable label={`PCI devices of host ${host.NAME}`} head={['Address', 'Device', 'Vendor', 'Class', 'Vendor:device:class', 'NUMA node', 'Held by']} focusable>
      {devices.map((d) => {
        const vm = Number(d.VMID ?? -1);
        return (
          <tr key={String(d.ADDRESS)} data-pci={String(d.SHORT_ADDRESS ?? d.ADDRESS)}>
            <td>{d.SHORT_ADDRESS ?? d.ADDRESS}</td>
            <td>{d.DEVICE_NAME ?? '-'}</td>
            <td>{d.VENDOR_NAME ?? '-'}</td>
            <td>{d.CLASS_NAME ?? '-'}</td>
            <td>
              <code>{pciIds(d)}</code>
            </td>
            <td>{d.NUMA_NODE ?? '-'}</td>
            <td>{vm >= 0 ? <Link to={`/vms/${vm}`}>VM {vm}</Link> : 'free'}</td>
          </tr>
        );
      })}
    </HeadedTable>
  );
}

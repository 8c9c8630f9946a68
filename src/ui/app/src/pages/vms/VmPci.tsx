/**
 * The VM page's PCI tab: the VM's PCI requests (TEMPLATE/PCI) with the host device each holds,
 * attached (a free device of the VM's host, or by vendor, device and class ids) and detached
 * with one.vm.attachpci / detachpci, which oned takes only while the VM is POWEROFF or
 * UNDEPLOYED. The ids are checked as oned checks them before anything is sent.
 */
import { useId, useState } from 'react';
import { asArray, type Tree } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { useAct, useInfo } from '../../hooks';
import { hostPciDevices, pciIds } from '../infra/HostPci';
import { vectorText } from '../storage/common';
import { S } from './vm-actions';
import { lastHistory } from './VmTabs';
import { HeadedTable } from '../../components/HeadedTable';

const HEX4 = /^[0-9a-f]{4}$/i;

/** The PCI vector asked for, or why the fields are not one. */
export function pciRequest(mode: 'device' | 'ids', address: string, vendor: string, device: string, cls: string): string | { text: string } {
  if (mode === 'device') return address ? { text: vectorText('PCI', { SHORT_ADDRESS: address }) } : 'Choose a device of the host';
  const ids = { VENDOR: vendor.trim(), DEVICE: device.trim(), CLASS: cls.trim() };
  for (const [k, v] of Object.entries(ids)) if (v && !HEX4.test(v)) return `${k[0]}${k.slice(1).toLowerCase()} must be 4 hex digits, such as ${k === 'VENDOR' ? '10de' : k === 'DEVICE' ? '0863' : '0302'}`;
  if (!ids.VENDOR && !ids.DEVICE && !ids.CLASS) return 'Enter a vendor, a device or a class';
  return { text: vectorText('PCI', ids) };
}

function AttachPci({ vm, why, hid }: { vm: Tree; why: string; hid: number }) {
  const act = useAct('vm', 'host');
  const id = Number(vm.ID);
  const { data: host } = useInfo('host', 'host', hid, 'HOST');
  const free = hostPciDevices(host).filter((d) => Number(d.VMID ?? -1) < 0);
  const [chosen, setMode] = useState<'device' | 'ids'>('device');
  // An undeployed VM has no host yet: it is asked for by ids and gets a device when deployed.
  const mode = hid < 0 ? 'ids' : chosen;
  const [address, setAddress] = useState('');
  const [vendor, setVendor] = useState('');
  const [device, setDevice] = useState('');
  const [cls, setCls] = useState('');
  const group = useId();
  const req = pciRequest(mode, address, vendor, device, cls);
  return (
    <DialogButton
      label="Attach a PCI device"
      title={`Attach a PCI device to VM ${id}`}
      disabled={!!why}
      reason={why || undefined}
      invalid={typeof req === 'string' ? req : undefined}
      onConfirm={async () => {
        if (typeof req !== 'string') await act('one.vm.attachpci', id, req.text);
      }}
    >
      <fieldset>
        <legend>Device</legend>
        <label className="check">
          <input type="radio" name={group} checked={mode === 'device'} disabled={hid < 0} onChange={() => setMode('device')} /> A free device of {host ? `host ${host.NAME}` : "the VM's host"}
        </label>
        <label className="check">
          <input type="radio" name={group} checked={mode === 'ids'} onChange={() => setMode('ids')} /> Any device with these ids
        </label>
      </fieldset>
      {mode === 'device' ? (
        <label>
          Host device
          <select value={address} onChange={(e) => setAddress(e.target.value)}>
            <option value="">Choose a device</option>
            {free.map((d) => (
              <option key={String(d.ADDRESS)} value={String(d.SHORT_ADDRESS)}>
                {d.SHORT_ADDRESS}: {d.DEVICE_NAME ?? pciIds(d)} ({pciIds(d)})
              </option>
            ))}
          </select>
        </label>
      ) : (
        <>
          <label>
            Vendor (hex)
            <input value={vendor} onChange={(e) => setVendor(e.target.value)} placeholder="10de" />
          </label>
          <label>
            Device (hex)
            <input value={device} onChange={(e) => setDevice(e.target.value)} placeholder="0863" />
          </label>
          <label>
            Class (hex)
            <input value={cls} onChange={(e) => setCls(e.target.value)} placeholder="0302" />
          </label>
        </>
      )}
    </DialogButton>
  );
}

export function PciTab({ vm }: { vm: Tree }) {
  const act = useAct('vm', 'host');
  const id = Number(vm.ID);
  const state = Number(vm.STATE);
  const pcis = asArray<Tree>(vm.TEMPLATE?.PCI);
  const why = state === S.POWEROFF || state === S.UNDEPLOYED ? '' : 'PCI devices are attached and detached only when the VM is POWEROFF or UNDEPLOYED';
  const hid = state === S.POWEROFF ? Number(lastHistory(vm)?.HID ?? -1) : -1;
  return (
    <>
      {state !== S.DONE && (
        <p className="actions">
          <AttachPci vm={vm} why={why} hid={hid} />
          {why && <span className="notice">{why}.</span>}
        </p>
      )}
      {pcis.length === 0 ? (
        <p className="panel">This VM has no PCI devices.</p>
      ) : (
        <HeadedTable label="PCI devices" head={['ID', 'Asked for', 'Host device', 'Actions']}>
          {pcis.map((p) => {
            const asked = p.SHORT_ADDRESS ? `address ${p.SHORT_ADDRESS}` : ['VENDOR', 'DEVICE', 'CLASS'].filter((k) => p[k]).map((k) => `${k.toLowerCase()} ${p[k]}`).join(', ');
            return (
              <tr key={String(p.PCI_ID)} data-vm-pci={String(p.PCI_ID)}>
                <td>{p.PCI_ID}</td>
                <td>{asked || '-'}</td>
                <td>{p.ADDRESS ?? 'given when the VM is placed'}</td>
                <td className="actions">
                  {state !== S.DONE && (
                    <ConfirmButton label={`Detach PCI ${p.PCI_ID}`} danger disabled={!!why} title={why || undefined} question={`Detach PCI ${p.PCI_ID} (${asked}) from VM ${id}? The VM boots without it.`} onConfirm={() => act('one.vm.detachpci', id, Number(p.PCI_ID))} />
                  )}
                </td>
              </tr>
            );
          })}
        </HeadedTable>
      )}
    </>
  );
}

/**
 * One virtual network: its address ranges (add, resize, remove), the leases (which address
 * is used by which VM, held or reserved), holds, reservations and its template. Every change
 * asks first; oned's refusal shows in the dialog.
 */
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { asArray, type Tree } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo } from '../../hooks';
import { PromptButton, RenamePrompt, required, templateText, treeToTemplate, vectorText } from '../storage/common';
import { checkIp, checkMac, checkSize } from './VnetCreate';
import { VNET_STATES } from './VnetList';

interface Lease {
  ar: string;
  ip: string;
  mac: string;
  vm?: number;
  vnet?: number;
  vrouter?: number;
}

function leasesOf(vnet: Tree): Lease[] {
  return asArray<Tree>(vnet.AR_POOL?.AR).flatMap((ar) =>
    asArray<Tree>(ar.LEASES?.LEASE).map((l) => ({
      ar: String(ar.AR_ID),
      ip: l.IP ?? l.IP6 ?? '',
      mac: l.MAC ?? '',
      vm: l.VM !== undefined ? Number(l.VM) : undefined,
      vnet: l.VNET !== undefined ? Number(l.VNET) : undefined,
      vrouter: l.VROUTER !== undefined ? Number(l.VROUTER) : undefined,
    })),
  );
}

function usedBy(l: Lease) {
  if (l.vm !== undefined) return l.vm < 0 ? 'Held' : <Link to={`/vms/${l.vm}`}>VM {l.vm}</Link>;
  if (l.vnet !== undefined) return <Link to={`/vnets/${l.vnet}`}>Reservation: network {l.vnet}</Link>;
  if (l.vrouter !== undefined) return `Virtual router ${l.vrouter}`;
  return '-';
}

function LeaseTable({ leases, label, action }: { leases: Lease[]; label: string; action?: (l: Lease) => ReactNode }) {
  if (!leases.length) return <p>None.</p>;
  return (
    <div className="scroller panel">
      <table>
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Address range</th>
            <th scope="col">IP</th>
            <th scope="col">MAC</th>
            <th scope="col">Used by</th>
            {action && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {leases.map((l) => (
            <tr key={`${l.ar}-${l.mac}`} data-ip={l.ip}>
              <td>{l.ar}</td>
              <td>{l.ip || '-'}</td>
              <td>{l.mac}</td>
              <td>{usedBy(l)}</td>
              {action && <td>{action(l)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function VnetDetail() {
  const id = Number(useParams().id);
  const act = useAct('vnet');
  const { data: vn, error } = useInfo('vnet', 'vn', id, 'VNET');
  if (error) return <ErrorNote error={error} />;
  if (!vn) return <p>Loading…</p>;
  const what = `network ${vn.ID} (${vn.NAME})`;
  const ars = asArray<Tree>(vn.AR_POOL?.AR);
  const leases = leasesOf(vn);
  const held = leases.filter((l) => l.vm !== undefined && l.vm < 0);
  const reservations = [...new Set(leases.filter((l) => l.vnet !== undefined).map((l) => l.vnet!))];
  const parent = vn.PARENT_NETWORK_ID;
  const leaseArg = (l: Lease) => `LEASES = [ ${l.ip ? `IP = "${l.ip}"` : `MAC = "${l.mac}"`}, AR_ID = "${l.ar}" ]`;
  return (
    <section>
      <div className="page-head">
        <h1>
          Network {vn.ID}: {vn.NAME}
        </h1>
        <span className="state ok">{VNET_STATES[Number(vn.STATE)] ?? vn.STATE}</span>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <RenamePrompt what={what} current={vn.NAME} onRename={(n) => act('one.vn.rename', id, n)} />
        <DeleteButton question={`Delete ${what}? oned refuses while VMs use its addresses.`} onDelete={() => act('one.vn.delete', id)} then="/vnets" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>Owner</dt>
                <dd>{vn.UNAME}</dd>
                <dt>Group</dt>
                <dd>{vn.GNAME}</dd>
                <dt>Bridge</dt>
                <dd>{vn.BRIDGE || '-'}</dd>
                <dt>Driver (VN_MAD)</dt>
                <dd>{vn.VN_MAD || '-'}</dd>
                <dt>VLAN ID</dt>
                <dd>{vn.VLAN_ID || '-'}</dd>
                <dt>Used leases</dt>
                <dd>{vn.USED_LEASES}</dd>
                <dt>Clusters</dt>
                <dd>{asArray<string>(vn.CLUSTERS?.ID).join(', ') || '-'}</dd>
                {parent !== undefined && parent !== '' && (
                  <>
                    <dt>Reservation of</dt>
                    <dd>
                      <Link to={`/vnets/${parent}`}>network {parent}</Link>
                    </dd>
                  </>
                )}
              </dl>
            ),
          },
          {
            id: 'ars',
            label: 'Address ranges',
            render: () => (
              <div className="ar-list">
                <div>
                  <PromptButton
                    label="Add address range"
                    title={`Add an address range to ${what}`}
                    fields={[
                      { name: 'type', label: 'Type', type: 'select', options: [{ value: 'IP4', label: 'IPv4 (IP4)' }, { value: 'ETHER', label: 'MAC only (ETHER)' }] },
                      { name: 'ip', label: 'First IP', check: (v, all) => (all.type === 'IP4' ? checkIp(v) : '') },
                      { name: 'size', label: 'Size (addresses)', check: checkSize },
                      { name: 'mac', label: 'First MAC (optional)', check: checkMac },
                    ]}
                    submitLabel="Add"
                    onSubmit={(v) => act('one.vn.add_ar', id, vectorText('AR', { TYPE: v.type, IP: v.type === 'IP4' ? v.ip : undefined, SIZE: v.size, MAC: v.mac }))}
                  />
                </div>
                {ars.length === 0 && <p>No address ranges.</p>}
                {ars.map((ar) => (
                  <section key={ar.AR_ID} className="panel" aria-label={`Address range ${ar.AR_ID}`}>
                    <h2>Address range {ar.AR_ID}</h2>
                    <dl className="props">
                      <dt>Type</dt>
                      <dd>{ar.TYPE}</dd>
                      {ar.IP && (
                        <>
                          <dt>IPs</dt>
                          <dd>
                            {ar.IP} – {ar.IP_END}
                          </dd>
                        </>
                      )}
                      <dt>MACs</dt>
                      <dd>
                        {ar.MAC} – {ar.MAC_END}
                      </dd>
                      <dt>Size</dt>
                      <dd data-testid={`ar-size-${ar.AR_ID}`}>{ar.SIZE}</dd>
                      <dt>Used</dt>
                      <dd>{ar.USED_LEASES}</dd>
                    </dl>
                    <div className="sub-actions">
                      <PromptButton
                        label={`Change size of range ${ar.AR_ID}`}
                        title={`Change the size of address range ${ar.AR_ID}`}
                        fields={[{ name: 'size', label: 'New size (addresses)', initial: String(ar.SIZE), check: checkSize }]}
                        submitLabel="Change size"
                        onSubmit={(v) => act('one.vn.update_ar', id, vectorText('AR', { AR_ID: ar.AR_ID, SIZE: v.size }))}
                      />
                      <ConfirmButton label={`Remove range ${ar.AR_ID}`} danger question={`Remove address range ${ar.AR_ID} (${ar.SIZE} addresses) from ${what}?`} onConfirm={() => act('one.vn.rm_ar', id, Number(ar.AR_ID))} />
                    </div>
                  </section>
                ))}
              </div>
            ),
          },
          { id: 'leases', label: 'Leases', render: () => <LeaseTable leases={leases} label={`Leases of ${what}`} /> },
          {
            id: 'holds',
            label: 'Holds',
            render: () => (
              <>
                <p>A held address is kept out of the pool: no VM gets it until it is released.</p>
                <PromptButton
                  label="Hold an address"
                  title={`Hold an address of ${what}`}
                  fields={[{ name: 'ip', label: 'IP address', check: (v) => checkIp(v) }]}
                  submitLabel="Hold"
                  onSubmit={(v) => act('one.vn.hold', id, `LEASES = [ IP = "${v.ip!.trim()}" ]`)}
                />
                <h2>Held addresses</h2>
                <LeaseTable
                  leases={held}
                  label={`Held addresses of ${what}`}
                  action={(l) => <ConfirmButton label={`Release ${l.ip || l.mac}`} question={`Release ${l.ip || l.mac} back to the pool of ${what}?`} onConfirm={() => act('one.vn.release', id, leaseArg(l))} />}
                />
              </>
            ),
          },
          {
            id: 'reservations',
            label: 'Reservations',
            render: () => (
              <>
                <p>A reservation takes addresses of this network into a new network of their own.</p>
                <PromptButton
                  label="Reserve addresses"
                  title={`Reserve addresses of ${what}`}
                  fields={[
                    { name: 'name', label: 'Name of the reservation', check: required('a name for the reservation') },
                    { name: 'size', label: 'How many addresses', check: checkSize },
                  ]}
                  submitLabel="Reserve"
                  onSubmit={(v) => act('one.vn.reserve', id, templateText({ NAME: v.name, SIZE: v.size }))}
                />
                <h2>Reservations of this network</h2>
                {reservations.length ? (
                  <ul>
                    {reservations.map((r) => (
                      <li key={r}>
                        <Link to={`/vnets/${r}`}>Network {r}</Link>: {leases.filter((l) => l.vnet === r).length} addresses
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p>None.</p>
                )}
              </>
            ),
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(vn.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

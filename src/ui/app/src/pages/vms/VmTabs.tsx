/** The VM detail's tabs that read its info: info, capacity, storage, network, snapshots, history, template. */
import { useState } from 'react';
import { Link } from 'react-router';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { useAct } from '../../hooks';
import { asArray, pool, type Tree } from '../../api';
import { useQuery } from '@tanstack/react-query';
import { HeadedTable } from '../../components/HeadedTable';
import { VmState } from '../../components/State';
import { templateText } from '../templates/template-text';
import { historyAction, mb, perms, time } from './format';

function Table({ label, head, rows, empty }: { label: string; head: string[]; rows: (string | number)[][]; empty: string }) {
  if (rows.length === 0) return <p className="panel">{empty}</p>;
  return (
    <HeadedTable label={label} head={head}>
      {rows.map((r, i) => (
        <tr key={i}>
          {r.map((c, j) => (
            <td key={j}>{String(c)}</td>
          ))}
        </tr>
      ))}
    </HeadedTable>
  );
}

export function lastHistory(vm: Tree): Tree | undefined {
  const h = asArray<Tree>(vm.HISTORY_RECORDS?.HISTORY);
  return h[h.length - 1];
}

export function vmIps(vm: Tree): string[] {
  return asArray<Tree>(vm.TEMPLATE?.NIC)
    .map((n) => n.IP || n.IP6_GLOBAL)
    .filter(Boolean);
}

export function InfoTab({ vm }: { vm: Tree }) {
  const last = lastHistory(vm);
  return (
    <dl className="props panel">
      <dt>ID</dt>
      <dd>{vm.ID}</dd>
      <dt>Name</dt>
      <dd>{vm.NAME}</dd>
      <dt>Owner</dt>
      <dd>
        {vm.UNAME} (ID {vm.UID})
      </dd>
      <dt>Group</dt>
      <dd>
        {vm.GNAME} (ID {vm.GID})
      </dd>
      <dt>State</dt>
      <dd>
        <VmState state={Number(vm.STATE)} lcm={Number(vm.LCM_STATE)} />
      </dd>
      <dt>Host</dt>
      <dd>{last && Number(vm.STATE) !== 6 ? `${last.HOSTNAME} (ID ${last.HID})` : '-'}</dd>
      <dt>IPs</dt>
      <dd>{vmIps(vm).join(', ') || '-'}</dd>
      <dt>Deploy ID</dt>
      <dd>{vm.DEPLOY_ID || '-'}</dd>
      <dt>Template</dt>
      <dd>{vm.TEMPLATE?.TEMPLATE_ID ? <Link to={`/templates/${vm.TEMPLATE.TEMPLATE_ID}`}>Template {vm.TEMPLATE.TEMPLATE_ID}</Link> : '-'}</dd>
      <dt>Started</dt>
      <dd>{time(vm.STIME)}</dd>
      <dt>Ended</dt>
      <dd>{time(vm.ETIME)}</dd>
      <dt>Last monitored</dt>
      <dd>{time(vm.LAST_POLL)}</dd>
      <dt>Permissions</dt>
      <dd>
        <code>{perms(vm.PERMISSIONS)}</code> (owner, group, others: use, manage, admin)
      </dd>
    </dl>
  );
}

export function CapacityTab({ vm }: { vm: Tree }) {
  const t = vm.TEMPLATE ?? {};
  return (
    <dl className="props panel">
      <dt>CPU (physical share)</dt>
      <dd>{t.CPU ?? '-'}</dd>
      <dt>Virtual CPUs</dt>
      <dd>{t.VCPU ?? '1'}</dd>
      <dt>Memory</dt>
      <dd>{mb(t.MEMORY)}</dd>
    </dl>
  );
}

export function NetworkTab({ vm }: { vm: Tree }) {
  const nics = asArray<Tree>(vm.TEMPLATE?.NIC);
  if (nics.length === 0) return <p className="panel">This VM has no network interfaces.</p>;
  return (
    <HeadedTable label="Network interfaces" head={['ID', 'Network', 'IP', 'MAC', 'Bridge', 'Security groups']}>
      {nics.map((n) => (
        <tr key={String(n.NIC_ID)} data-nic={n.NIC_ID}>
          <td>{n.NIC_ID ?? ''}</td>
          <td>{n.NETWORK ?? (n.NETWORK_ID ? `network ${n.NETWORK_ID}` : '-')}</td>
          <td>{n.IP || n.IP6_GLOBAL || '-'}</td>
          <td>{n.MAC ?? '-'}</td>
          <td>{n.BRIDGE ?? '-'}</td>
          <td>
            <NicSecGroups vm={vm} nic={n} />
          </td>
        </tr>
      ))}
    </HeadedTable>
  );
}

/** A NIC's security groups, each with its detach button, and attach (one.vm.attachsg/detachsg). */
function NicSecGroups({ vm, nic }: { vm: Tree; nic: Tree }) {
  const act = useAct('vm', 'secgroup');
  const id = Number(vm.ID);
  const nicId = Number(nic.NIC_ID);
  const sgs = String(nic.SECURITY_GROUPS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const all = useQuery({ queryKey: ['secgroup', 'pool', 'all'], queryFn: () => pool('secgroup', { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const others = (all.data?.rows ?? []).filter((r) => !sgs.includes(String(r.ID)));
  const [pick, setPick] = useState('');
  const chosen = pick || String(others[0]?.ID ?? '');
  return (
    <div className="sub-actions">
      {sgs.map((sg) => (
        <span key={sg}>
          <Link to={`/secgroups/${sg}`}>{sg}</Link>{' '}
          <ConfirmButton label={`Detach security group ${sg} from NIC ${nicId}`} question={`Detach security group ${sg} from NIC ${nicId} of VM ${id}?`} onConfirm={() => act('one.vm.detachsg', id, nicId, Number(sg))} />
        </span>
      ))}
      {sgs.length === 0 && '-'}
      <DialogButton label={`Attach security group to NIC ${nicId}`} title={`Attach a security group to NIC ${nicId} of VM ${id}`} invalid={chosen ? undefined : 'There is no other security group'} onConfirm={() => act('one.vm.attachsg', id, nicId, Number(chosen))}>
        <label>
          Security group
          <select value={chosen} onChange={(e) => setPick(e.target.value)}>
            {others.map((r) => (
              <option key={String(r.ID)} value={String(r.ID)}>
                {String(r.ID)}: {String(r.NAME)}
              </option>
            ))}
          </select>
        </label>
      </DialogButton>
    </div>
  );
}

/** System snapshots: taken while RUNNING (the hypervisor's), reverted or deleted, each after a confirmation. */
export function SnapshotsTab({ vm }: { vm: Tree }) {
  const snaps = asArray<Tree>(vm.TEMPLATE?.SNAPSHOT);
  const act = useAct('vm');
  const [name, setName] = useState('');
  const id = Number(vm.ID);
  const running = Number(vm.STATE) === 3 && Number(vm.LCM_STATE) === 3;
  const why = running ? undefined : 'Snapshots are taken, reverted and deleted while the VM is RUNNING';
  return (
    <>
      <p className="actions">
        <DialogButton label="Take a snapshot" title={`Take a snapshot of VM ${id}`} disabled={!running} onConfirm={() => act('one.vm.snapshotcreate', id, name.trim())}>
          <label>
            Snapshot name (optional)
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        </DialogButton>
        {why && <span className="notice">{why}.</span>}
      </p>
      {snaps.length === 0 ? (
        <p className="panel">This VM has no snapshots.</p>
      ) : (
        <HeadedTable label="Snapshots" head={['ID', 'Name', 'Taken', 'Hypervisor ID', 'Active', 'Actions']}>
          {snaps.map((snap) => {
            const sid = Number(snap.SNAPSHOT_ID);
            const label = `snapshot ${sid}${snap.NAME ? ` (${snap.NAME})` : ''}`;
            return (
              <tr key={sid} data-snapshot={sid}>
                <td>{sid}</td>
                <td>{snap.NAME ?? ''}</td>
                <td>{time(snap.TIME)}</td>
                <td>{snap.HYPERVISOR_ID ?? '-'}</td>
                <td>{snap.ACTIVE === 'YES' ? 'yes' : ''}</td>
                <td className="actions">
                  <ConfirmButton label={`Revert to snapshot ${sid}`} disabled={!running} title={why} question={`Revert VM ${id} to ${label}? What changed since is lost.`} onConfirm={() => act('one.vm.snapshotrevert', id, sid)} />
                  <ConfirmButton label={`Delete snapshot ${sid}`} danger disabled={!running} title={why} question={`Delete ${label} of VM ${id}?`} onConfirm={() => act('one.vm.snapshotdelete', id, sid)} />
                </td>
              </tr>
            );
          })}
    </HeadedTable>
      )}
    </>
  );
}

export function HistoryTab({ vm }: { vm: Tree }) {
  const h = asArray<Tree>(vm.HISTORY_RECORDS?.HISTORY);
  return (
    <Table
      label="Placement history"
      head={['#', 'Host', 'Datastore', 'Start', 'End', 'Action']}
      empty="This VM has never been placed on a host."
      rows={h.map((r) => [r.SEQ, `${r.HOSTNAME} (ID ${r.HID})`, r.DS_ID ?? '-', time(r.STIME), time(r.ETIME), historyAction(r.ACTION)])}
    />
  );
}

export function TemplateTab({ vm }: { vm: Tree }) {
  return (
    <>
      <h2>Template</h2>
      <pre className="raw" tabIndex={0} aria-label="VM template">
        {templateText(vm.TEMPLATE)}
      </pre>
      <h2>User template</h2>
      <pre className="raw" tabIndex={0} aria-label="VM user template">
        {templateText(vm.USER_TEMPLATE) || '(empty)'}
      </pre>
    </>
  );
}

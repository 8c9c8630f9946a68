/** A plain user's first page: their quota at a glance and their VMs (each opens its own page). */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { DataTable } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { ErrorNote } from '../../components/ErrorNote';
import { VmState } from '../../components/State';
import { useMe } from '../../session';
import { useMyUser } from './me';
import { usageText, vmQuota } from './quota';
import './cloud.css';

export function CloudHome() {
  const me = useMe();
  const { data: user, error } = useMyUser();
  const q = user ? vmQuota(user) : undefined;
  return (
    <section>
      <div className="page-head">
        <h1>My virtual machines</h1>
        <Link className="button primary" to="/launch">
          Launch a VM
        </Link>
      </div>
      <ErrorNote error={error} />
      {q && (
        <p className="quota-line" data-testid="quota-summary">
          <span>
            VMs: <strong>{usageText(q.VMS)}</strong>
          </span>
          <span>
            CPU: <strong>{usageText(q.CPU)}</strong>
          </span>
          <span>
            Memory: <strong>{usageText(q.MEMORY, 'MB')}</strong>
          </span>
          <Link to="/quotas">All quotas</Link>
        </p>
      )}
      <DataTable
        kind="vm"
        label="My virtual machines"
        where={{ UID: me.uid }}
        height="calc(100vh - 260px)"
        columns={[
          ...idNameColumns('/cloud/vms'),
          { key: 'STATE', label: 'State', render: (r: Row) => <VmState state={Number(r.STATE)} lcm={Number(r.LCM_STATE)} /> },
          { key: 'CPU', label: 'CPU', wide: true },
          { key: 'MEMORY', label: 'Memory (MB)', wide: true },
          { key: 'IPS', label: 'IPs', render: (r: Row) => (r.IPS as string[]).join(', ') },
        ]}
      />
    </section>
  );
}

/** Every host: cluster, state, running VMs and the CPU and memory its VMs have allocated; live. */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { cpuAlloc, HostState, memAlloc } from './host-bits';
import '../dashboard/infra.css';

const COLUMNS: Column[] = [
  ...idNameColumns('/hosts'),
  { key: 'CLUSTER', label: 'Cluster', sortable: true, wide: true },
  { key: 'STATE', label: 'State', sortable: true, render: (r: Row) => <HostState state={Number(r.STATE)} /> },
  { key: 'RUNNING_VMS', label: 'Running VMs', sortable: true },
  { key: 'CPU_USAGE', label: 'Allocated CPU', sortable: true, wide: true, render: (r: Row) => cpuAlloc(Number(r.CPU_USAGE), Number(r.MAX_CPU)) },
  { key: 'MEM_USAGE', label: 'Allocated memory', sortable: true, wide: true, render: (r: Row) => memAlloc(Number(r.MEM_USAGE), Number(r.MAX_MEM)) },
];

export function HostList() {
  return (
    <section>
      <div className="page-head">
        <h1>Hosts</h1>
        <Link className="button primary" to="/hosts/new">
          Create host
        </Link>
      </div>
      <DataTable kind="host" label="Hosts" columns={COLUMNS} initialSort={{ key: 'ID', dir: 'asc' }} searchHint="Search by name, cluster, driver" />
    </section>
  );
}

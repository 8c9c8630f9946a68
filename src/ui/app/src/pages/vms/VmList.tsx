/** Every VM the user may see: state, owner, host, IPs; live, searchable, sortable. */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { VmState } from '../../components/State';
import { BulkActions } from './BulkActions';

export const VM_COLUMNS: Column[] = [
  ...idNameColumns('/vms'),
  { key: 'STATE', label: 'State', sortable: true, render: (r: Row) => <VmState state={Number(r.STATE)} lcm={Number(r.LCM_STATE)} /> },
  { key: 'UNAME', label: 'Owner', sortable: true, wide: true },
  { key: 'GNAME', label: 'Group', sortable: true, wide: true },
  { key: 'HOST', label: 'Host', sortable: true, wide: true },
  { key: 'IPS', label: 'IPs', wide: true, render: (r: Row) => (r.IPS as string[]).join(', ') },
];

export function VmList() {
  return (
    <section>
      <div className="page-head">
        <h1>Virtual machines</h1>
        <Link to="/templates">Create from a template</Link>
      </div>
      <DataTable kind="vm" label="Virtual machines" columns={VM_COLUMNS} searchHint="Search by name, owner, host, IP"
        toolbar={(selected, clear) => <BulkActions selected={selected} clear={clear} />}
      />
    </section>
  );
}

/** Virtual networks: name, owner, bridge, driver, leases in use of the addresses they have. */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';

export const VNET_STATES = ['INIT', 'READY', 'LOCK_CREATE', 'LOCK_DELETE', 'DONE', 'ERROR', 'UPDATE_FAILURE'];

const COLUMNS: Column[] = [
  ...idNameColumns('/vnets'),
  { key: 'UNAME', label: 'Owner', sortable: true, wide: true },
  { key: 'BRIDGE', label: 'Bridge', sortable: true, wide: true },
  { key: 'VN_MAD', label: 'Driver', sortable: true, wide: true },
  { key: 'USED_LEASES', label: 'Leases', sortable: true, render: (r: Row) => `${r.USED_LEASES} / ${r.SIZE}` },
  { key: 'STATE', label: 'State', sortable: true, wide: true, render: (r: Row) => VNET_STATES[Number(r.STATE)] ?? String(r.STATE) },
];

export function VnetList() {
  return (
    <section>
      <div className="page-head">
        <h1>Virtual networks</h1>
        <div className="actions">
          <Link className="button-link" to="/vnets/new">
            Create network
          </Link>
        </div>
      </div>
      <DataTable kind="vnet" label="Virtual networks" columns={COLUMNS} searchHint="Search by name, owner, bridge" />
    </section>
  );
}

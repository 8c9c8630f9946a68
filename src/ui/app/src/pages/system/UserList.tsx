/** Every user: primary group, auth driver, enabled; live. */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import '../dashboard/infra.css';

const COLUMNS: Column[] = [
  ...idNameColumns('/users'),
  { key: 'GNAME', label: 'Group', sortable: true },
  { key: 'AUTH_DRIVER', label: 'Auth driver', sortable: true, wide: true },
  { key: 'ENABLED', label: 'Enabled', sortable: true, render: (r: Row) => (Number(r.ENABLED) === 1 ? 'yes' : 'no') },
];

export function UserList() {
  return (
    <section>
      <div className="page-head">
        <h1>Users</h1>
        <Link className="button primary" to="/users/new">
          Create user
        </Link>
      </div>
      <DataTable kind="user" label="Users" columns={COLUMNS} initialSort={{ key: 'ID', dir: 'asc' }} searchHint="Search by name, group, driver" />
    </section>
  );
}

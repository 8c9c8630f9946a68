/** The ID and Name columns every list starts with: the name links to the object's page under `base`. */
import { Link } from 'react-router';
import type { Row } from '../api';
import type { Column } from './DataTable';

export function idNameColumns(base: string): Column[] {
  return [
    { key: 'ID', label: 'ID', sortable: true, width: '5em' },
    { key: 'NAME', label: 'Name', sortable: true, render: (r: Row) => <Link to={`${base}/${r.ID}`}>{String(r.NAME)}</Link> },
  ];
}

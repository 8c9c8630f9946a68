/** A list page: its heading, the "create" links, and the pool's table (server-side search, sort, paging, live). */
import { Link } from 'react-router';
import type { Row } from '../api';
import { DataTable, type Column } from './DataTable';
import { idNameColumns } from './columns';

export const ownerColumn: Column = { key: 'UNAME', label: 'Owner', sortable: true, wide: true };
export const groupColumn: Column = { key: 'GNAME', label: 'Group', sortable: true, wide: true };

export function ListPage({ title, kind, base, columns, create, searchHint, where }: { title: string; kind: string; base: string; columns: Column<Row>[]; create?: { to: string; label: string }[]; searchHint?: string; where?: Record<string, string | number> }) {
  return (
    <section>
      <div className="page-head">
        <h1>{title}</h1>
        <div className="actions">
          {create?.map((c) => (
            <Link key={c.to} className="button-link" to={c.to}>
              {c.label}
            </Link>
          ))}
        </div>
      </div>
      <DataTable kind={kind} label={title} columns={[...idNameColumns(base), ...columns]} searchHint={searchHint ?? 'Search by name, owner'} where={where} />
    </section>
  );
}

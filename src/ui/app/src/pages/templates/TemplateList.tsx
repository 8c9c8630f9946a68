/** VM templates: live, searchable; create, and delete the selected ones. */
import { Link } from 'react-router';
import type { Row } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { useAct } from '../../hooks';
import { mb, time } from '../vms/format';

const COLUMNS: Column[] = [
  ...idNameColumns('/templates'),
  { key: 'UNAME', label: 'Owner', sortable: true, wide: true },
  { key: 'GNAME', label: 'Group', sortable: true, wide: true },
  { key: 'CPU', label: 'CPU', sortable: true, wide: true },
  { key: 'MEMORY', label: 'Memory', sortable: true, render: (r: Row) => mb(r.MEMORY as number) },
  { key: 'REGTIME', label: 'Registered', sortable: true, wide: true, render: (r: Row) => time(r.REGTIME as number) },
  { key: 'go', label: 'Instantiate', render: (r: Row) => <Link to={`/templates/${r.ID}/instantiate`} aria-label={`Instantiate ${String(r.NAME)}`}>Instantiate</Link> },
];

function DeleteSelected({ selected, clear }: { selected: number[]; clear: () => void }) {
  const act = useAct('template');
  return (
    <ConfirmButton
      label="Delete selected"
      danger
      disabled={selected.length === 0}
      title={selected.length === 0 ? 'Select templates in the table first' : undefined}
      question={`Delete ${selected.length === 1 ? `template ${selected[0]}` : `${selected.length} templates (${selected.join(', ')})`}? Their VMs keep running.`}
      onConfirm={async () => {
        const failures: string[] = [];
        for (const id of selected) await act('one.template.delete', id, false).catch((err: Error) => failures.push(`Template ${id}: ${err.message}`));
        if (failures.length) throw new Error(failures.join('\n'));
        clear();
      }}
    />
  );
}

export function TemplateList() {
  return (
    <section>
      <div className="page-head">
        <h1>VM templates</h1>
        <Link to="/templates/new" className="button-link">
          Create a template
        </Link>
      </div>
      <DataTable kind="template" label="VM templates" columns={COLUMNS} searchHint="Search by name, owner, group" toolbar={(s, clear) => <DeleteSelected selected={s} clear={clear} />} />
    </section>
  );
}

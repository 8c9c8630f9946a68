/** Clusters: the list (hosts, datastores, networks in each) and a form to create one. */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct } from '../../hooks';
import { Field, nameError } from '../../components/Field';
import '../dashboard/infra.css';

const COLUMNS: Column[] = [
  ...idNameColumns('/clusters'),
  { key: 'HOSTS', label: 'Hosts', sortable: true },
  { key: 'DATASTORES', label: 'Datastores', sortable: true },
  { key: 'VNETS', label: 'Networks', sortable: true },
];

export function ClusterList() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>();
  const act = useAct('cluster');
  const navigate = useNavigate();
  const nameErr = touched ? nameError(name, 'cluster') : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameError(name, 'cluster')) return;
    setError(undefined);
    try {
      const id = await act<number>('one.cluster.allocate', name);
      navigate(`/clusters/${id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <div className="page-head">
        <h1>Clusters</h1>
      </div>
      <form className="inline-form panel" onSubmit={submit} noValidate aria-label="Create cluster">
        <Field label="New cluster name" error={nameErr}>
          <input value={name} onChange={(e) => setName(e.target.value)} onBlur={() => name && setTouched(true)} />
        </Field>
        <button type="submit" className="primary">
          Create cluster
        </button>
        <ErrorNote error={error} />
      </form>
      <DataTable kind="cluster" label="Clusters" columns={COLUMNS} initialSort={{ key: 'ID', dir: 'asc' }} height="60vh" />
    </section>
  );
}

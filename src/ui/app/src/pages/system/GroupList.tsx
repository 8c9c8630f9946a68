/** Groups: the list (how many users each) and a form to create one. */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct } from '../../hooks';
import { addAclRule, GROUP_CREATE_RESOURCES } from './acl-api';
import { Field, nameError } from '../../components/Field';
import '../dashboard/infra.css';

const COLUMNS: Column[] = [
  ...idNameColumns('/groups'),
  { key: 'USERS', label: 'Users', sortable: true },
];

export function GroupList() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [create, setCreate] = useState(true);
  const [error, setError] = useState<unknown>();
  const act = useAct('group');
  const navigate = useNavigate();
  const err = touched ? nameError(name, 'group') : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameError(name, 'group')) return;
    setError(undefined);
    try {
      const id = await act<number>('one.group.allocate', name);
      // As `onegroup create`: members may create their own VMs, images, templates...
      if (create) {
        try {
          await addAclRule(`@${id} ${GROUP_CREATE_RESOURCES}/* CREATE *`);
        } catch (e3) {
          await act('one.group.delete', id).catch(() => undefined);
          throw e3;
        }
      }
      navigate(`/groups/${id}`);
    } catch (e2) {
      setError(e2);
    }
  };
  return (
    <section>
      <div className="page-head">
        <h1>Groups</h1>
      </div>
      <form className="inline-form panel" onSubmit={submit} noValidate aria-label="Create group">
        <Field label="New group name" error={err}>
          <input value={name} onChange={(e) => setName(e.target.value)} onBlur={() => name && setTouched(true)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={create} onChange={(e) => setCreate(e.target.checked)} />
          Members may create VMs, images, templates and other objects
        </label>
        <button type="submit" className="primary">
          Create group
        </button>
        <ErrorNote error={error} />
      </form>
      <DataTable kind="group" label="Groups" columns={COLUMNS} initialSort={{ key: 'ID', dir: 'asc' }} height="60vh" />
    </section>
  );
}

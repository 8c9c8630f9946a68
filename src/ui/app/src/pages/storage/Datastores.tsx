/** Datastores: the list with capacity, a creation form, and one datastore's detail with its images. */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { asArray, call, type Row } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo, useSubmit } from '../../hooks';
import { DATASTORE_TYPES } from '../../states';
import { Field } from '../../components/Field';
import { Capacity, OnOff, RenamePrompt, templateText, treeToTemplate } from './common';
import { BACKUP_DS_ATTRS, BACKUP_DS_MADS, backupDsAttrs } from './backup-ds';
import { imageColumns } from './ImageList';

const COLUMNS: Column[] = [
  ...idNameColumns('/datastores'),
  { key: 'TYPE', label: 'Type', sortable: true, render: (r: Row) => DATASTORE_TYPES[Number(r.TYPE)] ?? String(r.TYPE) },
  { key: 'DS_MAD', label: 'DS_MAD', sortable: true, wide: true },
  { key: 'TM_MAD', label: 'TM_MAD', sortable: true, wide: true },
  { key: 'TOTAL_MB', label: 'Capacity', sortable: true, render: (r: Row) => <Capacity total={Number(r.TOTAL_MB)} used={Number(r.USED_MB)} free={Number(r.FREE_MB)} /> },
  { key: 'CLUSTERS', label: 'Clusters', wide: true, render: (r: Row) => (r.CLUSTERS as string[]).join(', ') },
  { key: 'STATE', label: 'State', sortable: true, wide: true, render: (r: Row) => <OnOff on={Number(r.STATE) === 0} /> },
];

export function DatastoreList() {
  return (
    <section>
      <div className="page-head">
        <h1>Datastores</h1>
        <div className="actions">
          <Link className="button-link" to="/datastores/new">
            Create datastore
          </Link>
        </div>
      </div>
      <DataTable kind="datastore" label="Datastores" columns={COLUMNS} searchHint="Search by name, DS_MAD, TM_MAD" />
    </section>
  );
}

/** Drivers our oned ships (the DS_MAD/TM_MAD lists oned.conf enables by default). */
const DS_MADS = ['fs', 'dummy'];
const TM_MADS = ['ssh', 'shared', 'qcow2', 'dummy'];

export function DatastoreCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [type, setType] = useState('IMAGE_DS');
  const [dsMad, setDsMad] = useState('fs');
  const [tmMad, setTmMad] = useState('ssh');
  const [extra, setExtra] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const backup = type === 'BACKUP_DS';
  const setKind = (t: string) => {
    setType(t);
    if ((t === 'BACKUP_DS') !== BACKUP_DS_MADS.includes(dsMad)) setDsMad(t === 'BACKUP_DS' ? 'rsync' : 'fs');
  };
  const { busy, error, setError, run } = useSubmit();
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const b = backupDsAttrs(dsMad, extra);
    const e: Record<string, string> = backup ? { ...b.errors } : {};
    if (!name.trim()) e.name = 'Enter a name';
    setErrors(e);
    setError(null);
    if (Object.keys(e).length) return;
    await run(async () => {
      const id = await call<number>('one.datastore.allocate', templateText({ NAME: name.trim(), TYPE: type, DS_MAD: type === 'SYSTEM_DS' ? undefined : dsMad, TM_MAD: backup ? undefined : tmMad, ...(backup ? b.attrs : {}) }), -1);
      await qc.invalidateQueries({ queryKey: ['datastore'] });
      navigate(`/datastores/${id}`);
    });
  };
  const select = (value: string, set: (v: string) => void, options: string[]) => (
    <select value={value} onChange={(e) => set(e.target.value)}>
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
  return (
    <section>
      <div className="page-head">
        <h1>Create a datastore</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate aria-label="New datastore">
        <Field label="Name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="row">
          <Field label="Type">{select(type, setKind, ['IMAGE_DS', 'SYSTEM_DS', 'FILE_DS', 'BACKUP_DS'])}</Field>
          {type !== 'SYSTEM_DS' && <Field label="Storage driver (DS_MAD)">{select(dsMad, setDsMad, backup ? BACKUP_DS_MADS : DS_MADS)}</Field>}
          {!backup && <Field label="Transfer driver (TM_MAD)">{select(tmMad, setTmMad, TM_MADS)}</Field>}
        </div>
        {backup &&
          (BACKUP_DS_ATTRS[dsMad] ?? []).map((a) => (
            <Field key={a.key} label={a.label} error={errors[a.key]} hint={a.hint}>
              <input type={a.secret ? 'password' : 'text'} autoComplete={a.secret ? 'new-password' : undefined} value={extra[a.key] ?? ''} onChange={(e) => setExtra({ ...extra, [a.key]: e.target.value })} />
            </Field>
          ))}
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="button" onClick={() => navigate('/datastores')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create datastore'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function DatastoreDetail() {
  const id = Number(useParams().id);
  const act = useAct('datastore', 'image');
  const { data: ds, error } = useInfo('datastore', 'datastore', id, 'DATASTORE');
  if (error) return <ErrorNote error={error} />;
  if (!ds) return <p>Loading…</p>;
  const enabled = Number(ds.STATE) === 0;
  const what = `datastore ${ds.ID} (${ds.NAME})`;
  const typeName = DATASTORE_TYPES[Number(ds.TYPE)] ?? ds.TYPE;
  return (
    <section>
      <div className="page-head">
        <h1>
          Datastore {ds.ID}: {ds.NAME}
        </h1>
        <OnOff on={enabled} />
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <RenamePrompt what={what} current={ds.NAME} onRename={(n) => act('one.datastore.rename', id, n)} />
        {/* oned enables and disables system datastores only (where VMs are placed). */}
        {Number(ds.TYPE) === 1 && <ConfirmButton label={enabled ? 'Disable' : 'Enable'} question={`${enabled ? 'Disable' : 'Enable'} ${what}?${enabled ? ' No new images or VMs will be placed in it.' : ''}`} onConfirm={() => act('one.datastore.enable', id, !enabled)} />}
        <DeleteButton question={`Delete ${what}? oned refuses while it holds images.`} onDelete={() => act('one.datastore.delete', id)} then="/datastores" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>Type</dt>
                <dd>{typeName}</dd>
                <dt>Owner</dt>
                <dd>{ds.UNAME}</dd>
                <dt>Storage driver (DS_MAD)</dt>
                <dd>{ds.DS_MAD || '-'}</dd>
                <dt>Transfer driver (TM_MAD)</dt>
                <dd>{ds.TM_MAD || '-'}</dd>
                <dt>Base path</dt>
                <dd>{ds.BASE_PATH || '-'}</dd>
                <dt>Capacity</dt>
                <dd>
                  <Capacity total={Number(ds.TOTAL_MB)} used={Number(ds.USED_MB)} free={Number(ds.FREE_MB)} />
                </dd>
                <dt>Clusters</dt>
                <dd>{asArray<string>(ds.CLUSTERS?.ID).join(', ') || '-'}</dd>
              </dl>
            ),
          },
          {
            id: 'images',
            label: 'Images',
            render: () => <DataTable kind="image" label={`Images in ${ds.NAME}`} columns={imageColumns(Number(ds.TYPE) === 2 ? '/files' : '/images')} where={{ DATASTORE_ID: id }} height="50vh" />,
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(ds.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

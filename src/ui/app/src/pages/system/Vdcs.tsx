/**
 * VDCs: the list (groups and resources of each) with a form to create one; a VDC's page with
 * its groups (add, remove), its clusters, hosts, datastores and networks by zone (add one or ALL
 * of a zone, remove), its template, rename and delete.
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { asArray, pool, type Tree } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field, nameError } from '../../components/Field';
import { HeadedTable } from '../../components/HeadedTable';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail, useSubmit } from '../../hooks';
import { RawTemplate } from '../templates/RawTemplate';
import { RenamePrompt, treeToTemplate } from '../storage/common';
import '../dashboard/infra.css';

/** A resource id standing for every resource of the kind in the zone. */
const ALL = -10;

/** The kinds of resources: the method word, the VDC's XML element, the pool listing them, the page showing one. */
const KINDS = [
  { word: 'cluster', element: 'CLUSTER', pool: 'cluster', path: '/clusters', label: 'Clusters' },
  { word: 'host', element: 'HOST', pool: 'host', path: '/hosts', label: 'Hosts' },
  { word: 'datastore', element: 'DATASTORE', pool: 'datastore', path: '/datastores', label: 'Datastores' },
  { word: 'vnet', element: 'VNET', pool: 'vnet', path: '/vnets', label: 'Networks' },
] as const;
type Kind = (typeof KINDS)[number];

const COLUMNS: Column[] = [
  ...idNameColumns('/vdcs'),
  { key: 'GROUPS', label: 'Groups', sortable: true },
  { key: 'CLUSTERS', label: 'Clusters' },
  { key: 'HOSTS', label: 'Hosts' },
  { key: 'DATASTORES', label: 'Datastores' },
  { key: 'VNETS', label: 'Networks' },
];

export function VdcList() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useSubmit();
  const act = useAct('vdc');
  const navigate = useNavigate();
  const err = touched ? nameError(name, 'VDC') : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameError(name, 'VDC')) return;
    await run(async () => {
      const id = await act<number>('one.vdc.allocate', `NAME = "${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
      navigate(`/vdcs/${id}`);
    });
  };
  return (
    <section>
      <div className="page-head">
        <h1>VDCs</h1>
      </div>
      <form className="inline-form panel" onSubmit={submit} noValidate aria-label="Create VDC">
        <Field label="New VDC name" error={err}>
          <input value={name} onChange={(e) => setName(e.target.value)} onBlur={() => name && setTouched(true)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Create VDC
        </button>
        <ErrorNote error={error} />
      </form>
      <DataTable kind="vdc" label="VDCs" columns={COLUMNS} initialSort={{ key: 'ID', dir: 'asc' }} searchHint="Search by name" />
    </section>
  );
}

/** The names of a pool's members by id (for the selects and the tables). */
function useNames(kind: string) {
  const q = useQuery({ queryKey: [kind, 'pool', 'all'], queryFn: () => pool(kind, { limit: 1000, sort: 'ID', dir: 'asc' }) });
  return new Map((q.data?.rows ?? []).map((r) => [Number(r.ID), String(r.NAME)]));
}

function Groups({ id, vdc }: { id: number; vdc: Tree }) {
  const names = useNames('group');
  const act = useAct('vdc', 'acl');
  const [gid, setGid] = useState('');
  const { busy, error, run } = useSubmit();
  const members = asArray<string>(vdc.GROUPS?.ID).map(Number);
  return (
    <section className="panel" aria-label="Groups of the VDC">
      <HeadedTable label={`Groups of VDC ${id}`} head={['Group', 'Actions']}>
        {members.map((g) => (
          <tr key={g} data-group={g}>
            <td>
              <Link to={`/groups/${g}`}>
                {g}: {names.get(g) ?? ''}
              </Link>
            </td>
            <td>
              <ConfirmButton label={`Remove group ${g}`} question={`Take group ${g} out of VDC ${id}? Its users lose what the VDC gave them.`} onConfirm={() => act('one.vdc.delgroup', id, g)} />
            </td>
          </tr>
        ))}
      </HeadedTable>
      <form
        className="inline-form"
        aria-label="Add group"
        onSubmit={(e) => {
          e.preventDefault();
          if (gid !== '') void run(() => act('one.vdc.addgroup', id, Number(gid)));
        }}
      >
        <Field label="Group">
          <select value={gid} onChange={(e) => setGid(e.target.value)}>
            <option value="">Choose a group</option>
            {[...names].filter(([g]) => !members.includes(g)).map(([g, n]) => (
              <option key={g} value={g}>
                {g}: {n}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={busy || gid === ''}>
          Add group
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

function Resources({ id, vdc, kind }: { id: number; vdc: Tree; kind: Kind }) {
  const names = useNames(kind.pool);
  const act = useAct('vdc', 'acl');
  const [zone, setZone] = useState('0');
  const [rid, setRid] = useState('');
  const { busy, error, run } = useSubmit();
  const items = asArray<Tree>(vdc[`${kind.element}S`]?.[kind.element]).map((r) => ({ zone: Number(r.ZONE_ID), id: Number(r[`${kind.element}_ID`]) }));
  const zoneOk = /^\d+$/.test(zone.trim());
  return (
    <section className="panel" aria-label={`${kind.label} of the VDC`}>
      <HeadedTable label={`${kind.label} of VDC ${id}`} head={['Zone', kind.label.replace(/s$/, ''), 'Actions']}>
        {items.map((r) => (
          <tr key={`${r.zone}:${r.id}`} data-resource={`${r.zone}:${r.id}`}>
            <td>{r.zone}</td>
            <td>{r.id === ALL ? `All ${kind.label.toLowerCase()} of zone ${r.zone}` : <Link to={`${kind.path}/${r.id}`}>{`${r.id}: ${names.get(r.id) ?? ''}`}</Link>}</td>
            <td>
              <ConfirmButton
                label={`Remove ${kind.word} ${r.id === ALL ? 'ALL' : r.id}`}
                question={`Take ${r.id === ALL ? `every ${kind.word}` : `${kind.word} ${r.id}`} of zone ${r.zone} out of VDC ${id}?`}
                onConfirm={() => act(`one.vdc.del${kind.word}`, id, r.zone, r.id)}
              />
            </td>
          </tr>
        ))}
      </HeadedTable>
      <form
        className="inline-form"
        aria-label={`Add ${kind.word}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (zoneOk && rid !== '') void run(() => act(`one.vdc.add${kind.word}`, id, Number(zone), Number(rid)));
        }}
      >
        <Field label="Zone" error={zoneOk ? undefined : 'A zone id: 0 or more'}>
          <input value={zone} onChange={(e) => setZone(e.target.value)} size={4} />
        </Field>
        <Field label={kind.label.replace(/s$/, '')}>
          <select value={rid} onChange={(e) => setRid(e.target.value)}>
            <option value="">Choose</option>
            <option value={ALL}>ALL: every one of the zone</option>
            {[...names].map(([r, n]) => (
              <option key={r} value={r}>
                {r}: {n}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={busy || rid === '' || !zoneOk}>
          Add {kind.word}
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

export function VdcDetail() {
  const { id, obj: vdc, guard } = useDetail('vdc', 'vdc', 'VDC');
  const act = useAct('vdc', 'acl');
  if (guard) return guard;
  const text = treeToTemplate(vdc.TEMPLATE ?? {});
  return (
    <section>
      <div className="page-head">
        <h1>
          VDC {vdc.ID}: {vdc.NAME}
        </h1>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <RenamePrompt what={`VDC ${id} (${vdc.NAME})`} current={String(vdc.NAME)} onRename={(n) => act('one.vdc.rename', id, n)} />
        {id >= 100 && <DeleteButton question={`Delete VDC ${id} (${vdc.NAME})? Its groups lose the rules it gave them.`} onDelete={() => act('one.vdc.delete', id)} then="/vdcs" />}
      </div>
      <Tabs
        tabs={[
          { id: 'groups', label: 'Groups', render: () => <Groups id={id} vdc={vdc} /> },
          ...KINDS.map((k) => ({ id: k.word, label: k.label, render: () => <Resources id={id} vdc={vdc} kind={k} /> })),
          {
            id: 'template',
            label: 'Template',
            render: () => <RawTemplate key={text} label="Template text (replaces the whole template)" initial={text} submitLabel="Update VDC" onSubmit={(v) => act('one.vdc.update', id, v, 0)} />,
          },
        ]}
      />
    </section>
  );
}

/**
 * Zones of the federation: the list (endpoint, state), a form to create one (name, endpoint),
 * and a zone's page: enable/disable, rename, delete, its servers (add, remove), its template
 * and update.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { asArray, call, type Tree } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field, nameError } from '../../components/Field';
import { HeadedTable } from '../../components/HeadedTable';
import { ListPage } from '../../components/ListPage';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail, useSubmit } from '../../hooks';
import { RawTemplate } from '../templates/RawTemplate';
import { OnOff, PromptButton, RenamePrompt, required, templateText, treeToTemplate } from '../storage/common';

/** An endpoint oned can be reached at: http(s)://host:port/RPC2. */
export function endpointError(v: string): string {
  return /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v.trim()) ? '' : 'Enter the zone oned\'s XML-RPC endpoint, like http://zone-host:2633/RPC2';
}

export function ZoneList() {
  return (
    <ListPage
      title="Zones"
      kind="zone"
      base="/zones"
      create={[{ to: '/zones/new', label: 'Create zone' }]}
      searchHint="Search by name, endpoint"
      columns={[
        { key: 'ENDPOINT', label: 'Endpoint', wide: true },
        { key: 'STATE', label: 'State', sortable: true, render: (r) => <OnOff on={Number(r.STATE) === 0} onText="ENABLED" /> },
        { key: 'SERVERS', label: 'Servers', sortable: true },
      ]}
    />
  );
}

export function ZoneCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [v, setV] = useState({ name: '', endpoint: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const n = nameError(v.name, 'the zone') ?? '';
    if (n) errs.name = n;
    const ep = endpointError(v.endpoint);
    if (ep) errs.endpoint = ep;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await run(async () => {
      const id = await call<number>('one.zone.allocate', templateText({ NAME: v.name.trim(), ENDPOINT: v.endpoint.trim() }));
      await qc.invalidateQueries({ queryKey: ['zone'] });
      navigate(`/zones/${id}`);
    });
  };
  return (
    <section>
      <div className="page-head">
        <h1>Create a zone</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Zone name" error={errors.name}>
          <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />
        </Field>
        <Field label="Endpoint" error={errors.endpoint} hint="The XML-RPC endpoint of the zone's oned">
          <input value={v.endpoint} placeholder="http://zone-host:2633/RPC2" onChange={(e) => setV({ ...v, endpoint: e.target.value })} />
        </Field>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create zone'}
          </button>
        </div>
      </form>
    </section>
  );
}

function Servers({ zone }: { zone: Tree }) {
  const act = useAct('zone');
  const id = Number(zone.ID);
  const servers = asArray<Tree>(zone.SERVER_POOL?.SERVER);
  return (
    <>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <PromptButton
          label="Add server"
          title={`Add a server to zone ${id}`}
          fields={[
            { name: 'name', label: 'Server name', check: required('the server name') },
            { name: 'endpoint', label: 'Server endpoint', check: endpointError },
          ]}
          onSubmit={(f) => act('one.zone.addserver', id, `SERVER = [ NAME = "${f.name!.trim()}", ENDPOINT = "${f.endpoint!.trim()}" ]`)}
        />
      </div>
      {servers.length === 0 ? (
        <p className="panel">The zone has no servers: its oned runs alone.</p>
      ) : (
        <HeadedTable label={`Servers of zone ${id}`} head={['ID', 'Name', 'Endpoint', 'Actions']}>
          {servers.map((s) => (
            <tr key={String(s.ID)}>
              <td>{s.ID}</td>
              <td>{s.NAME}</td>
              <td>
                <code>{s.ENDPOINT}</code>
              </td>
              <td>
                <ConfirmButton label={`Remove server ${s.ID}`} question={`Remove server ${s.ID} (${s.NAME}) from zone ${id}?`} onConfirm={() => act('one.zone.delserver', id, Number(s.ID))} />
              </td>
            </tr>
          ))}
        </HeadedTable>
      )}
    </>
  );
}

export function ZoneDetail() {
  const { id, obj: z, guard } = useDetail('zone', 'zone', 'ZONE');
  const act = useAct('zone');
  if (guard) return guard;
  const enabled = Number(z.STATE) === 0;
  const what = `zone ${id} (${z.NAME})`;
  const text = treeToTemplate(z.TEMPLATE);
  return (
    <section>
      <div className="page-head">
        <h1>
          Zone {z.ID}: {z.NAME}
        </h1>
        <OnOff on={enabled} onText="ENABLED" />
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <ConfirmButton label={enabled ? 'Disable' : 'Enable'} question={`${enabled ? 'Disable' : 'Enable'} ${what}?`} onConfirm={() => act('one.zone.enable', id, !enabled)} />
        <RenamePrompt what={what} current={String(z.NAME)} onRename={(n) => act('one.zone.rename', id, n)} />
        <DeleteButton question={`Delete ${what}? Its ACL rules go with it. Zones below 100 and this oned's own zone cannot be deleted.`} onDelete={() => act('one.zone.delete', id)} then="/zones" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>Endpoint</dt>
                <dd>
                  <code>{z.TEMPLATE?.ENDPOINT || '-'}</code>
                </dd>
                <dt>State</dt>
                <dd>{enabled ? 'ENABLED' : 'DISABLED'}</dd>
              </dl>
            ),
          },
          { id: 'servers', label: 'Servers', render: () => <Servers zone={z} /> },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{text}</pre> },
          {
            id: 'update',
            label: 'Update',
            render: () => <RawTemplate key={text} label="Template text (replaces the whole template)" initial={text} submitLabel="Update zone" onSubmit={(v) => act('one.zone.update', id, v, 0)} />,
          },
        ]}
      />
    </section>
  );
}

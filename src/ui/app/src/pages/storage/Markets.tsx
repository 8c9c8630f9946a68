/**
 * Marketplaces and their apps. Marketplaces: the list with capacity; a marketplace's page (its
 * apps, enable/disable, owner, permissions, delete); a form to create one (http, s3, one...).
 * Apps: the list; an app's page (import into a datastore as an image, enable/disable, owner,
 * permissions, delete); "export an image" makes an app of an image in a marketplace.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { call, type Tree } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { DataTable } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { groupColumn, ListPage, ownerColumn } from '../../components/ListPage';
import { OwnedActions, OwnerProps } from '../../components/OwnedActions';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail, useSubmit } from '../../hooks';
import { PoolOptions, usePoolOptions } from '../network/VRouters';
import { Capacity, formatMb, OnOff, templateText, treeToTemplate, when } from './common';

export const MARKET_MADS = ['http', 's3', 'one', 'linuxcontainers', 'dockerhub', 'docker_registry'];
export const APP_STATES = ['INIT', 'READY', 'LOCKED', 'ERROR', 'DISABLED'];
export const APP_TYPES = ['UNKNOWN', 'IMAGE', 'VMTEMPLATE', 'SERVICE_TEMPLATE'];
const APP_TONES: Record<string, string> = { READY: 'ok', INIT: 'busy', LOCKED: 'busy', ERROR: 'bad', DISABLED: 'off' };

export function AppState({ state }: { state: number }) {
  const name = APP_STATES[state] ?? `STATE_${state}`;
  return <span className={`state ${APP_TONES[name] ?? 'off'}`}>{name}</span>;
}

export function MarketList() {
  return (
    <ListPage
      title="Marketplaces"
      kind="market"
      base="/markets"
      create={[{ to: '/markets/new', label: 'Create marketplace' }]}
      searchHint="Search by name, owner, driver"
      columns={[
        ownerColumn,
        { key: 'MARKET_MAD', label: 'Driver', sortable: true },
        { key: 'STATE', label: 'State', sortable: true, render: (r) => <OnOff on={Number(r.STATE) === 0} onText="ENABLED" /> },
        { key: 'FREE_MB', label: 'Capacity', sortable: true, render: (r) => (Number(r.TOTAL_MB) > 0 ? <Capacity total={Number(r.TOTAL_MB)} used={Number(r.USED_MB)} free={Number(r.FREE_MB)} /> : '-') },
        { key: 'APPS', label: 'Apps', sortable: true },
      ]}
    />
  );
}

const DRIVER_FIELDS: Record<string, [string, string, string?][]> = {
  http: [
    ['BASE_URL', 'Base URL', 'Where clients download the apps from (http://frontend/market)'],
    ['PUBLIC_DIR', 'Public directory', 'The directory the web server serves as the base URL'],
    ['BRIDGE_LIST', 'Hosts that copy the files (optional)'],
  ],
  s3: [
    ['ACCESS_KEY_ID', 'Access key ID'],
    ['SECRET_ACCESS_KEY', 'Secret access key'],
    ['BUCKET', 'Bucket'],
    ['REGION', 'Region'],
    ['ENDPOINT', 'Endpoint (optional)'],
  ],
  one: [['ENDPOINT', 'Marketplace URL (optional)']],
};

export function MarketCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [v, setV] = useState<Record<string, string>>({ NAME: '', MARKET_MAD: 'http', DESCRIPTION: '' });
  const [extra, setExtra] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const fields = DRIVER_FIELDS[v.MARKET_MAD!] ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!v.NAME!.trim()) errs.NAME = 'Enter a name';
    for (const [k, label] of fields) if (!label.includes('optional') && !(v[k] ?? '').trim()) errs[k] = `Enter the ${label.toLowerCase()}`;
    if (v.MARKET_MAD === 'http' && v.BASE_URL && !/^https?:\/\//.test(v.BASE_URL.trim())) errs.BASE_URL = 'A URL starting with http:// or https://';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const attrs = Object.fromEntries([['NAME', v.NAME], ['MARKET_MAD', v.MARKET_MAD], ['DESCRIPTION', v.DESCRIPTION], ...fields.map(([k]) => [k, v[k]])]);
    await run(async () => {
      const id = await call<number>('one.market.allocate', [templateText(attrs), extra.trim()].filter(Boolean).join('\n'));
      await qc.invalidateQueries({ queryKey: ['market'] });
      navigate(`/markets/${id}`);
    });
  };
  const input = (k: string, label: string, hint?: string) => (
    <Field key={k} label={label} error={errors[k]} hint={hint}>
      <input value={v[k] ?? ''} onChange={(e) => setV({ ...v, [k]: e.target.value })} />
    </Field>
  );
  return (
    <section>
      <div className="page-head">
        <h1>Create a marketplace</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        {input('NAME', 'Name')}
        <Field label="Driver (MARKET_MAD)">
          <select value={v.MARKET_MAD} onChange={(e) => setV({ ...v, MARKET_MAD: e.target.value })}>
            {MARKET_MADS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
        {fields.map(([k, label, hint]) => input(k, label, hint))}
        {input('DESCRIPTION', 'Description')}
        <Field label="More attributes (template text, optional)">
          <textarea rows={3} value={extra} onChange={(e) => setExtra(e.target.value)} />
        </Field>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create marketplace'}
          </button>
        </div>
      </form>
    </section>
  );
}

const APP_COLUMNS = [
  ownerColumn,
  { key: 'MARKETPLACE', label: 'Marketplace', sortable: true, wide: true },
  { key: 'STATE', label: 'State', sortable: true, render: (r: Tree) => <AppState state={Number(r.STATE)} /> },
  { key: 'TYPE', label: 'Type', sortable: true, wide: true, render: (r: Tree) => APP_TYPES[Number(r.TYPE)] ?? String(r.TYPE) },
  { key: 'SIZE', label: 'Size', sortable: true, render: (r: Tree) => formatMb(Number(r.SIZE)) },
];

export function MarketDetail() {
  const { id, obj: m, guard } = useDetail('market', 'market', 'MARKETPLACE');
  const act = useAct('market');
  if (guard) return guard;
  const enabled = Number(m.STATE) === 0;
  const what = `marketplace ${id} (${m.NAME})`;
  return (
    <section>
      <div className="page-head">
        <h1>
          Marketplace {m.ID}: {m.NAME}
        </h1>
        <OnOff on={enabled} onText="ENABLED" />
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <ConfirmButton label={enabled ? 'Disable' : 'Enable'} question={`${enabled ? 'Disable' : 'Enable'} ${what}?`} onConfirm={() => act('one.market.enable', id, !enabled)} />
        <OwnedActions obj={m} prefix="market" kind="market" noun="marketplace" base="/markets" deleteNote="oned refuses while it has apps." />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <OwnerProps obj={m} />
                <dt>Driver</dt>
                <dd>{m.MARKET_MAD}</dd>
                <dt>Capacity</dt>
                <dd>{Number(m.TOTAL_MB) > 0 ? <Capacity total={Number(m.TOTAL_MB)} used={Number(m.USED_MB)} free={Number(m.FREE_MB)} /> : '-'}</dd>
                <dt>Base URL</dt>
                <dd>{m.TEMPLATE?.BASE_URL || '-'}</dd>
                <dt>Description</dt>
                <dd>{m.TEMPLATE?.DESCRIPTION || '-'}</dd>
              </dl>
            ),
          },
          { id: 'apps', label: 'Apps', render: () => <DataTable kind="marketapp" label={`Apps of ${what}`} columns={[...idNameColumns('/marketapps'), ...APP_COLUMNS]} where={{ MARKETPLACE_ID: id }} height="50vh" /> },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(m.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

export function MarketAppList() {
  return (
    <ListPage
      title="Marketplace apps"
      kind="marketapp"
      base="/marketapps"
      create={[{ to: '/marketapps/new', label: 'Export an image' }]}
      searchHint="Search by name, owner, marketplace"
      columns={[...APP_COLUMNS, groupColumn]}
    />
  );
}

/** "Export an image to a marketplace": a new app whose origin is the image. */
export function MarketAppCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const images = usePoolOptions('image');
  const markets = usePoolOptions('market');
  const [v, setV] = useState({ image: '', market: '', name: '', description: '', version: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!v.image) errs.image = 'Choose the image to export';
    if (!v.market) errs.market = 'Choose the marketplace';
    if (!v.name.trim()) errs.name = 'Enter the name of the app';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await run(async () => {
      const id = await call<number>('one.marketapp.allocate', templateText({ NAME: v.name, ORIGIN_ID: v.image, TYPE: 'IMAGE', DESCRIPTION: v.description, VERSION: v.version }), Number(v.market));
      await qc.invalidateQueries({ queryKey: ['marketapp'] });
      navigate(`/marketapps/${id}`);
    });
  };
  const select = (k: 'image' | 'market', label: string, rows: Tree[]) => (
    <Field label={label} error={errors[k]}>
      <select value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value, ...(k === 'image' && !v.name ? { name: String(rows.find((r) => String(r.ID) === e.target.value)?.NAME ?? '') } : {}) })}>
        <option value="">Choose…</option>
        <PoolOptions rows={rows} />
      </select>
    </Field>
  );
  return (
    <section>
      <div className="page-head">
        <h1>Export an image to a marketplace</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        {select('image', 'Image', images)}
        {select('market', 'Marketplace', markets)}
        <Field label="App name" error={errors.name}>
          <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />
        </Field>
        <div className="row">
          <Field label="Description">
            <input value={v.description} onChange={(e) => setV({ ...v, description: e.target.value })} />
          </Field>
          <Field label="Version">
            <input value={v.version} onChange={(e) => setV({ ...v, version: e.target.value })} />
          </Field>
        </div>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Exporting…' : 'Export image'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The image template an app brings (APPTEMPLATE64), its name and `FROM_APP`: what `one.image.allocate` takes to import it. */
export function importTemplate(app: Tree, name: string): string {
  let base = '';
  try {
    base = app.APPTEMPLATE64 ? new TextDecoder().decode(Uint8Array.from(atob(String(app.APPTEMPLATE64)), (c) => c.charCodeAt(0))) : '';
  } catch {
    base = '';
  }
  const kept = base
    .split('\n')
    .filter((l) => !/^\s*(NAME|FROM_APP)\s*=/.test(l))
    .join('\n')
    .trim();
  return [kept, templateText({ NAME: name, FROM_APP: String(app.ID) })].filter(Boolean).join('\n');
}

function ImportButton({ app }: { app: Tree }) {
  const act = useAct('image', 'marketapp');
  const navigate = useNavigate();
  const datastores = usePoolOptions('datastore', { TYPE: 0 });
  const [v, setV] = useState({ name: String(app.NAME), ds: '' });
  const ds = v.ds || String(datastores[0]?.ID ?? '');
  return (
    <DialogButton
      label="Import into a datastore"
      title={`Import app ${app.ID} (${app.NAME}) as an image`}
      disabled={Number(app.STATE) !== 1}
      reason={Number(app.STATE) !== 1 ? 'Only a READY app can be imported' : undefined}
      invalid={!v.name.trim() ? 'Enter the name of the image' : !ds ? 'There is no image datastore' : undefined}
      onConfirm={async () => navigate(`/images/${await act<number>('one.image.allocate', importTemplate(app, v.name.trim()), Number(ds))}`)}
    >
      <label>
        Image name
        <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />
      </label>
      <label>
        Datastore
        <select value={ds} onChange={(e) => setV({ ...v, ds: e.target.value })}>
          <PoolOptions rows={datastores} />
        </select>
      </label>
    </DialogButton>
  );
}

export function MarketAppDetail() {
  const { id, obj: app, guard } = useDetail('marketapp', 'marketapp', 'MARKETPLACEAPP', (a) => ['0', '2'].includes(String(a.STATE)));
  const act = useAct('marketapp');
  if (guard) return guard;
  const state = Number(app.STATE);
  const what = `app ${id} (${app.NAME})`;
  return (
    <section>
      <div className="page-head">
        <h1>
          App {app.ID}: {app.NAME}
        </h1>
        <AppState state={state} />
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <ImportButton app={app} />
        <ConfirmButton label={state === 4 ? 'Enable' : 'Disable'} disabled={state !== 1 && state !== 4} question={`${state === 4 ? 'Enable' : 'Disable'} ${what}?`} onConfirm={() => act('one.marketapp.enable', id, state === 4)} />
        <OwnedActions obj={app} prefix="marketapp" kind="marketapp" noun="app" base="/marketapps" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <OwnerProps obj={app} />
                <dt>Marketplace</dt>
                <dd>
                  <Link to={`/markets/${app.MARKETPLACE_ID}`}>{app.MARKETPLACE || `marketplace ${app.MARKETPLACE_ID}`}</Link>
                </dd>
                <dt>Type</dt>
                <dd>{APP_TYPES[Number(app.TYPE)] ?? app.TYPE}</dd>
                <dt>Size</dt>
                <dd>{formatMb(Number(app.SIZE))}</dd>
                <dt>Format</dt>
                <dd>{app.FORMAT || '-'}</dd>
                <dt>Version</dt>
                <dd>{app.VERSION || '-'}</dd>
                <dt>Registered</dt>
                <dd>{when(app.REGTIME)}</dd>
                <dt>Origin</dt>
                <dd>{Number(app.ORIGIN_ID) >= 0 ? <Link to={`/images/${app.ORIGIN_ID}`}>image {app.ORIGIN_ID}</Link> : '-'}</dd>
                <dt>Source</dt>
                <dd>{app.SOURCE || '-'}</dd>
                <dt>MD5</dt>
                <dd>{app.MD5 || '-'}</dd>
                <dt>Description</dt>
                <dd>{app.DESCRIPTION || '-'}</dd>
              </dl>
            ),
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(app.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

/**
 * Virtual routers: the list; a router's page with its NICs (networks, floating IPs), attach and
 * detach of a NIC, its VMs, and "instantiate" that starts the router's VMs from a VM template;
 * a form to create one with its NICs.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { asArray, call, pool, type Row, type Tree } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { HeadedTable } from '../../components/HeadedTable';
import { groupColumn, ListPage, ownerColumn } from '../../components/ListPage';
import { OwnedActions, OwnerProps } from '../../components/OwnedActions';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail, useSubmit } from '../../hooks';
import { templateText, treeToTemplate, vectorText } from '../storage/common';

/** The rows of a pool for a select (networks, VM templates, datastores...). */
export function usePoolOptions(kind: string, where?: Record<string, string | number>) {
  const q = useQuery({ queryKey: [kind, 'pool', 'all', where], queryFn: () => pool(kind, { limit: 1000, sort: 'ID', dir: 'asc', where }) });
  return q.data?.rows ?? [];
}

export function PoolOptions({ rows }: { rows: Row[] }) {
  return (
    <>
      {rows.map((r) => (
        <option key={String(r.ID)} value={String(r.ID)}>
          {String(r.ID)}: {String(r.NAME)}
        </option>
      ))}
    </>
  );
}

interface NicValues {
  network: string;
  floating: boolean;
  ip: string;
}

function nicText(n: NicValues): string {
  return vectorText('NIC', { NETWORK_ID: n.network, FLOATING_IP: n.floating ? 'YES' : undefined, IP: n.ip });
}

export function VRouterList() {
  return (
    <ListPage
      title="Virtual routers"
      kind="vrouter"
      base="/vrouters"
      create={[{ to: '/vrouters/new', label: 'Create virtual router' }]}
      columns={[ownerColumn, groupColumn, { key: 'NICS', label: 'NICs', sortable: true }, { key: 'VMS', label: 'VMs', sortable: true }]}
    />
  );
}

export function VRouterCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const vnets = usePoolOptions('vnet');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [nics, setNics] = useState<NicValues[]>([{ network: '', floating: true, ip: '' }]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const setNic = (i: number, v: Partial<NicValues>) => setNics(nics.map((n, j) => (j === i ? { ...n, ...v } : n)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!name.trim()) errs.name = 'Enter a name';
    nics.forEach((n, i) => {
      if (!n.network) errs[`nic${i}`] = 'Choose a network';
    });
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await run(async () => {
      const id = await call<number>('one.vrouter.allocate', [templateText({ NAME: name.trim(), DESCRIPTION: description }), ...nics.map(nicText)].join('\n'));
      await qc.invalidateQueries({ queryKey: ['vrouter'] });
      navigate(`/vrouters/${id}`);
    });
  };
  return (
    <section>
      <div className="page-head">
        <h1>Create a virtual router</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Description">
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <h2>NICs</h2>
        {nics.map((n, i) => (
          <fieldset key={i} className="panel" aria-label={`NIC ${i + 1}`}>
            <legend>NIC {i + 1}</legend>
            <div className="row">
              <Field label="Network" error={errors[`nic${i}`]}>
                <select value={n.network} onChange={(e) => setNic(i, { network: e.target.value })}>
                  <option value="">Choose…</option>
                  <PoolOptions rows={vnets} />
                </select>
              </Field>
              <Field label="Floating IP address" hint="Empty: oned picks one">
                <input value={n.ip} onChange={(e) => setNic(i, { ip: e.target.value })} />
              </Field>
            </div>
            <label>
              <input type="checkbox" checked={n.floating} onChange={(e) => setNic(i, { floating: e.target.checked })} /> Floating IP (the router's address, kept when its VMs change)
            </label>
            <div>
              <button type="button" onClick={() => setNics(nics.filter((_, j) => j !== i))}>
                Remove NIC {i + 1}
              </button>
            </div>
          </fieldset>
        ))}
        <div className="buttons">
          <button type="button" onClick={() => setNics([...nics, { network: '', floating: false, ip: '' }])}>
            Add a NIC
          </button>
        </div>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create virtual router'}
          </button>
        </div>
      </form>
    </section>
  );
}

function InstantiateButton({ id, name }: { id: number; name: string }) {
  const act = useAct('vrouter', 'vm');
  // Only VM templates made for routers (VROUTER = YES) start a router's VMs.
  const templates = usePoolOptions('template', { VROUTER: 'YES' });
  const [v, setV] = useState({ n: '1', template: '', name: '', hold: false });
  const invalid = !/^\d+$/.test(v.n) || Number(v.n) < 1 ? 'How many VMs: a whole number of at least 1' : !v.template ? 'Choose the VM template of the router' : undefined;
  return (
    <DialogButton label="Instantiate" title={`Start the VMs of virtual router ${id} (${name})`} invalid={invalid} onConfirm={() => act('one.vrouter.instantiate', id, Number(v.n), Number(v.template), v.name.trim(), v.hold, '')}>
      <label>
        Number of VMs
        <input value={v.n} onChange={(e) => setV({ ...v, n: e.target.value })} />
      </label>
      <label>
        VM template (one with VROUTER = YES)
        <select value={v.template} onChange={(e) => setV({ ...v, template: e.target.value })}>
          <option value="">Choose…</option>
          <PoolOptions rows={templates} />
        </select>
      </label>
      <label>
        VM name (%i is the VM's number; empty: vr-{name}-%i)
        <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />
      </label>
      <label>
        <input type="checkbox" checked={v.hold} onChange={(e) => setV({ ...v, hold: e.target.checked })} /> On hold (not deployed until released)
      </label>
    </DialogButton>
  );
}

function AttachNic({ id }: { id: number }) {
  const act = useAct('vrouter', 'vm', 'vnet');
  const vnets = usePoolOptions('vnet');
  const [n, setN] = useState<NicValues>({ network: '', floating: false, ip: '' });
  return (
    <DialogButton label="Attach NIC" title={`Attach a NIC to virtual router ${id}`} invalid={n.network ? undefined : 'Choose a network'} onConfirm={() => act('one.vrouter.attachnic', id, nicText(n))}>
      <label>
        Network
        <select value={n.network} onChange={(e) => setN({ ...n, network: e.target.value })}>
          <option value="">Choose…</option>
          <PoolOptions rows={vnets} />
        </select>
      </label>
      <label>
        <input type="checkbox" checked={n.floating} onChange={(e) => setN({ ...n, floating: e.target.checked })} /> Floating IP
      </label>
      <label>
        IP address (optional)
        <input value={n.ip} onChange={(e) => setN({ ...n, ip: e.target.value })} />
      </label>
    </DialogButton>
  );
}

export function VRouterDetail() {
  const { id, obj: vr, guard } = useDetail('vrouter', 'vrouter', 'VROUTER');
  const act = useAct('vrouter', 'vm', 'vnet');
  if (guard) return guard;
  const nics = asArray<Tree>(vr.TEMPLATE?.NIC);
  const vms = asArray<string>(vr.VMS?.ID).map(String);
  const what = `virtual router ${id} (${vr.NAME})`;
  return (
    <section>
      <div className="page-head">
        <h1>
          Virtual router {vr.ID}: {vr.NAME}
        </h1>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <InstantiateButton id={id} name={String(vr.NAME)} />
        <OwnedActions obj={vr} prefix="vrouter" kind="vrouter" noun="virtual router" base="/vrouters" deleteNote="Its VMs are terminated." />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <OwnerProps obj={vr} />
                <dt>Description</dt>
                <dd>{vr.TEMPLATE?.DESCRIPTION || '-'}</dd>
                <dt>VM template</dt>
                <dd>{vr.TEMPLATE?.TEMPLATE_ID ? <Link to={`/templates/${vr.TEMPLATE.TEMPLATE_ID}`}>template {vr.TEMPLATE.TEMPLATE_ID}</Link> : '-'}</dd>
              </dl>
            ),
          },
          {
            id: 'nics',
            label: 'NICs',
            render: () => (
              <>
                <p className="actions">
                  <AttachNic id={id} />
                </p>
                {nics.length === 0 ? (
                  <p className="panel">No NICs.</p>
                ) : (
                  <HeadedTable label={`NICs of ${what}`} head={['ID', 'Network', 'IP', 'Floating IP', 'Actions']}>
                    {nics.map((n) => (
                      <tr key={String(n.NIC_ID)} data-nic={n.NIC_ID}>
                        <td>{n.NIC_ID}</td>
                        <td>{n.NETWORK_ID !== undefined ? <Link to={`/vnets/${n.NETWORK_ID}`}>{n.NETWORK ?? `network ${n.NETWORK_ID}`}</Link> : (n.NETWORK ?? '-')}</td>
                        <td>{n.IP || n.VROUTER_IP || '-'}</td>
                        <td>{n.FLOATING_IP === 'YES' ? 'yes' : 'no'}</td>
                        <td>
                          <ConfirmButton label={`Detach NIC ${n.NIC_ID}`} danger question={`Detach NIC ${n.NIC_ID} from ${what} and its VMs?`} onConfirm={() => act('one.vrouter.detachnic', id, Number(n.NIC_ID))} />
                        </td>
                      </tr>
                    ))}
                  </HeadedTable>
                )}
              </>
            ),
          },
          {
            id: 'vms',
            label: 'VMs',
            render: () =>
              vms.length === 0 ? (
                <p className="panel">No VMs: instantiate the router to start them.</p>
              ) : (
                <ul className="panel" aria-label={`VMs of ${what}`}>
                  {vms.map((v) => (
                    <li key={v}>
                      <Link to={`/vms/${v}`}>VM {v}</Link>
                    </li>
                  ))}
                </ul>
              ),
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(vr.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

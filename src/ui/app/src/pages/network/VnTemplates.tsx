/**
 * Network templates: the list; a template's page (its text, update, instantiate into a new
 * virtual network, clone, owner, permissions, delete); create from a short form or as text.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { call } from '../../api';
import { DialogButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { groupColumn, ListPage, ownerColumn } from '../../components/ListPage';
import { OwnedActions, OwnerProps } from '../../components/OwnedActions';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail, useSubmit } from '../../hooks';
import { RawTemplate } from '../templates/RawTemplate';
import { templateText, treeToTemplate, vectorText, when } from '../storage/common';
import { checkIp, checkSize, VN_MADS } from './VnetCreate';
import { WriteAs } from '../../components/WriteAs';

export function VnTemplateList() {
  return (
    <ListPage
      title="Network templates"
      kind="vntemplate"
      base="/vntemplates"
      create={[{ to: '/vntemplates/new', label: 'Create network template' }]}
      columns={[ownerColumn, groupColumn, { key: 'VN_MAD', label: 'Driver', sortable: true }, { key: 'REGTIME', label: 'Registered', sortable: true, wide: true, render: (r) => when(r.REGTIME) }]}
    />
  );
}

export function VnTemplateCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [raw, setRaw] = useState(false);
  const [v, setV] = useState({ name: '', mad: 'bridge', bridge: '', ip: '', size: '' });
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (raw) {
      if (!text.trim()) errs.text = 'Write the network template';
    } else {
      if (!v.name.trim()) errs.name = 'Enter a name';
      if (v.ip || v.size) {
        if (checkIp(v.ip)) errs.ip = checkIp(v.ip);
        if (checkSize(v.size)) errs.size = checkSize(v.size);
      }
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const tpl = raw ? text : [templateText({ NAME: v.name.trim(), VN_MAD: v.mad, BRIDGE: v.bridge }), v.ip ? vectorText('AR', { TYPE: 'IP4', IP: v.ip, SIZE: v.size }) : ''].filter(Boolean).join('\n');
    await run(async () => {
      const id = await call<number>('one.vntemplate.allocate', tpl);
      await qc.invalidateQueries({ queryKey: ['vntemplate'] });
      navigate(`/vntemplates/${id}`);
    });
  };
  const input = (k: keyof typeof v, label: string, hint?: string) => (
    <Field label={label} error={errors[k]} hint={hint}>
      <input value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />
    </Field>
  );
  return (
    <section>
      <div className="page-head">
        <h1>Create a network template</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <WriteAs text={raw} onChange={setRaw} />
        {raw ? (
          <Field label="Template" error={errors.text}>
            <textarea rows={10} value={text} onChange={(e) => setText(e.target.value)} placeholder={'NAME = "web-net"\nVN_MAD = "bridge"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "100" ]'} />
          </Field>
        ) : (
          <>
            {input('name', 'Name')}
            <div className="row">
              <Field label="Driver (VN_MAD)">
                <select value={v.mad} onChange={(e) => setV({ ...v, mad: e.target.value })}>
                  {VN_MADS.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </Field>
              {input('bridge', 'Bridge', 'Left empty, oned names one')}
            </div>
            <div className="row">
              {input('ip', 'First IP', 'Optional: an IPv4 address range')}
              {input('size', 'Size (addresses)')}
            </div>
          </>
        )}
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create network template'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function VnTemplateDetail() {
  const { id, obj: t, guard } = useDetail('vntemplate', 'vntemplate', 'VNTEMPLATE');
  const act = useAct('vntemplate', 'vnet');
  const navigate = useNavigate();
  const [net, setNet] = useState('');
  if (guard) return guard;
  const text = treeToTemplate(t.TEMPLATE);
  return (
    <section>
      <div className="page-head">
        <h1>
          Network template {t.ID}: {t.NAME}
        </h1>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <DialogButton
          label="Instantiate"
          title={`Make a virtual network from template ${id} (${t.NAME})`}
          invalid={net.trim() ? undefined : 'Enter a name for the network'}
          onConfirm={async () => navigate(`/vnets/${await act<number>('one.vntemplate.instantiate', id, net.trim(), '')}`)}
        >
          <label>
            Name of the network
            <input value={net} onChange={(e) => setNet(e.target.value)} />
          </label>
        </DialogButton>
        <OwnedActions obj={t} prefix="vntemplate" kind="vntemplate" noun="network template" base="/vntemplates" clone deleteNote="Networks made from it stay." />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <OwnerProps obj={t} />
                <dt>Registered</dt>
                <dd>{when(t.REGTIME)}</dd>
                <dt>Driver (VN_MAD)</dt>
                <dd>{t.TEMPLATE?.VN_MAD || '-'}</dd>
                <dt>Bridge</dt>
                <dd>{t.TEMPLATE?.BRIDGE || '-'}</dd>
              </dl>
            ),
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{text}</pre> },
          {
            id: 'update',
            label: 'Update',
            render: () => <RawTemplate key={text} label="Template text (replaces the whole template)" initial={text} submitLabel="Update template" onSubmit={(v) => act('one.vntemplate.update', id, v, 0)} />,
          },
        ]}
      />
    </section>
  );
}

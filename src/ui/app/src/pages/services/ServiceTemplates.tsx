/**
 * OneFlow service templates: the list; a template's page (its roles, its JSON, instantiate into
 * a service, delete); create from a form of roles (each a VM template and a number of VMs) or as
 * JSON.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { asArray, type Tree } from '../../api';
import { DeleteButton, DialogButton } from '../../components/Confirm';
import { Field } from '../../components/Field';
import { HeadedTable } from '../../components/HeadedTable';
import { useSubmit } from '../../hooks';
import { PoolOptions, usePoolOptions } from '../network/VRouters';
import { bodyOf, documents, flowCall, useFlow } from './flow';
import { FlowError } from './FlowError';
import { WriteAs } from '../../components/WriteAs';

interface RoleValues {
  name: string;
  template: string;
  cardinality: string;
  parents: string;
}

/** A role of a service template as OneFlow reads it (a VM role from a VM template). */
export function roleJson(r: RoleValues): Record<string, unknown> {
  const parents = r.parents
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return { name: r.name.trim(), type: 'vm', template_id: Number(r.template), cardinality: Number(r.cardinality), ...(parents.length ? { parents } : {}) };
}

export function ServiceTemplateList() {
  const q = useFlow('/service_template', 5000);
  const docs = documents(q.data);
  return (
    <section>
      <div className="page-head">
        <h1>Service templates</h1>
        <div className="actions">
          <Link className="button-link" to="/service_templates/new">
            Create service template
          </Link>
        </div>
      </div>
      <FlowError error={q.error} />
      {q.data &&
        (docs.length === 0 ? (
          <p className="panel">None yet.</p>
        ) : (
          <HeadedTable label="Service templates" head={['ID', 'Name', 'Owner', 'Roles', 'Deployment']}>
            {docs.map((d) => {
              const b = bodyOf(d);
              return (
                <tr key={String(d.ID)} data-id={d.ID}>
                  <td>{d.ID}</td>
                  <td>
                    <Link to={`/service_templates/${d.ID}`}>{String(d.NAME ?? b.name)}</Link>
                  </td>
                  <td>{d.UNAME}</td>
                  <td>{asArray<Tree>(b.roles).map((r) => `${r.name} (${r.cardinality ?? 1})`).join(', ') || '-'}</td>
                  <td>{b.deployment ?? 'none'}</td>
                </tr>
              );
            })}
          </HeadedTable>
        ))}
    </section>
  );
}

export function ServiceTemplateCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const templates = usePoolOptions('template');
  const [json, setJson] = useState(false);
  const [text, setText] = useState('');
  const [v, setV] = useState({ name: '', description: '', deployment: 'straight' });
  const [roles, setRoles] = useState<RoleValues[]>([{ name: '', template: '', cardinality: '1', parents: '' }]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const setRole = (i: number, r: Partial<RoleValues>) => setRoles(roles.map((x, j) => (j === i ? { ...x, ...r } : x)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    let body: unknown;
    if (json) {
      try {
        body = JSON.parse(text);
        if (!body || typeof body !== 'object' || Array.isArray(body)) errs.text = 'The template is a JSON object ({"name": ..., "roles": [...]})';
      } catch (err) {
        errs.text = `Not JSON: ${(err as Error).message}`;
      }
    } else {
      if (!v.name.trim()) errs.name = 'Enter a name';
      const names = roles.map((r) => r.name.trim());
      roles.forEach((r, i) => {
        if (!r.name.trim()) errs[`role${i}`] = 'Enter the role name';
        else if (names.indexOf(r.name.trim()) !== i) errs[`role${i}`] = 'Two roles have this name';
        if (!r.template) errs[`tpl${i}`] = 'Choose the VM template';
        if (!/^\d+$/.test(r.cardinality.trim())) errs[`card${i}`] = 'How many VMs: a whole number';
        const unknown = r.parents.split(',').map((p) => p.trim()).filter((p) => p && !names.includes(p));
        if (unknown.length) errs[`parents${i}`] = `No role named ${unknown.join(', ')}`;
      });
      body = { name: v.name.trim(), description: v.description, deployment: v.deployment, roles: roles.map(roleJson) };
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await run(async () => {
      const made = await flowCall<Tree>('POST', '/service_template', body);
      await qc.invalidateQueries({ queryKey: ['flow'] });
      navigate(`/service_templates/${made?.DOCUMENT?.ID ?? ''}`);
    });
  };
  return (
    <section>
      <div className="page-head">
        <h1>Create a service template</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <WriteAs text={json} onChange={setJson} textLabel="JSON" />
        {json ? (
          <Field label="Template (JSON)" error={errors.text}>
            <textarea rows={12} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} placeholder={'{\n  "name": "web",\n  "deployment": "straight",\n  "roles": [ { "name": "front", "type": "vm", "template_id": 0, "cardinality": 2 } ]\n}'} />
          </Field>
        ) : (
          <>
            <Field label="Name" error={errors.name}>
              <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />
            </Field>
            <div className="row">
              <Field label="Description">
                <input value={v.description} onChange={(e) => setV({ ...v, description: e.target.value })} />
              </Field>
              <Field label="Deployment" hint="straight: a role starts when its parents run">
                <select value={v.deployment} onChange={(e) => setV({ ...v, deployment: e.target.value })}>
                  <option value="straight">straight</option>
                  <option value="none">none (all roles at once)</option>
                </select>
              </Field>
            </div>
            <h2>Roles</h2>
            {roles.map((r, i) => (
              <fieldset key={i} className="panel" aria-label={`Role ${i + 1}`}>
                <legend>Role {i + 1}</legend>
                <div className="row">
                  <Field label="Role name" error={errors[`role${i}`]}>
                    <input value={r.name} onChange={(e) => setRole(i, { name: e.target.value })} />
                  </Field>
                  <Field label="VM template" error={errors[`tpl${i}`]}>
                    <select value={r.template} onChange={(e) => setRole(i, { template: e.target.value })}>
                      <option value="">Choose…</option>
                      <PoolOptions rows={templates} />
                    </select>
                  </Field>
                  <Field label="Number of VMs" error={errors[`card${i}`]}>
                    <input value={r.cardinality} onChange={(e) => setRole(i, { cardinality: e.target.value })} />
                  </Field>
                  <Field label="Parent roles" hint="Role names, comma separated" error={errors[`parents${i}`]}>
                    <input value={r.parents} onChange={(e) => setRole(i, { parents: e.target.value })} />
                  </Field>
                </div>
                {roles.length > 1 && (
                  <button type="button" onClick={() => setRoles(roles.filter((_, j) => j !== i))}>
                    Remove role {i + 1}
                  </button>
                )}
              </fieldset>
            ))}
            <div className="buttons">
              <button type="button" onClick={() => setRoles([...roles, { name: '', template: '', cardinality: '1', parents: '' }])}>
                Add a role
              </button>
            </div>
          </>
        )}
        <FlowError error={error} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create service template'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function ServiceTemplateDetail() {
  const id = Number(useParams().id);
  const q = useFlow(`/service_template/${id}`);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  if (q.error)
    return (
      <section>
        <h1>Service template {id}</h1>
        <FlowError error={q.error} />
        <Link to="/service_templates">Back to the service templates</Link>
      </section>
    );
  const doc = q.data?.DOCUMENT;
  if (!doc) return <p>Loading…</p>;
  const b = bodyOf(doc);
  const roles = asArray<Tree>(b.roles);
  return (
    <section>
      <div className="page-head">
        <h1>
          Service template {doc.ID}: {doc.NAME ?? b.name}
        </h1>
      </div>
      <div className="actions" role="group" aria-label="Service template actions">
        <DialogButton
          label="Instantiate"
          title={`Start a service from template ${id} (${doc.NAME ?? b.name})`}
          onConfirm={async () => {
            const made = await flowCall<Tree>('POST', `/service_template/${id}/action`, { action: { perform: 'instantiate', params: name.trim() ? { merge_template: { name: name.trim() } } : {} } });
            await qc.invalidateQueries({ queryKey: ['flow'] });
            navigate(`/services/${made?.DOCUMENT?.ID ?? ''}`);
          }}
        >
          <label>
            Name of the service (optional)
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        </DialogButton>
        <DeleteButton
          question={`Delete service template ${id}? Services started from it keep running.`}
          onDelete={async () => {
            await flowCall('DELETE', `/service_template/${id}`);
            await qc.invalidateQueries({ queryKey: ['flow'] });
          }}
          then="/service_templates"
        />
      </div>
      <dl className="props panel">
        <dt>Owner</dt>
        <dd>{doc.UNAME}</dd>
        <dt>Description</dt>
        <dd>{b.description || '-'}</dd>
        <dt>Deployment</dt>
        <dd>{b.deployment ?? 'none'}</dd>
      </dl>
      <h2>Roles</h2>
      <HeadedTable label={`Roles of service template ${id}`} head={['Name', 'VM template', 'VMs', 'Parents']}>
        {roles.map((r) => {
          const tpl = r.template_id ?? r.vm_template;
          return (
            <tr key={String(r.name)} data-role={r.name}>
              <td>{r.name}</td>
              <td>{tpl !== undefined ? <Link to={`/templates/${tpl}`}>template {tpl}</Link> : '-'}</td>
              <td>{r.cardinality ?? 1}</td>
              <td>{asArray<string>(r.parents).join(', ') || '-'}</td>
            </tr>
          );
        })}
      </HeadedTable>
      <h2>JSON</h2>
      <pre className="raw" tabIndex={0} aria-label="Service template JSON">
        {JSON.stringify(b, null, 2)}
      </pre>
    </section>
  );
}

/**
 * VM groups: the list; a group's page with its roles (policy, host affinity, the VMs in each),
 * role add and delete, the rules between roles; a form to create one with its roles.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useFieldArray, useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { asArray, call, type Tree } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { HeadedTable } from '../../components/HeadedTable';
import { groupColumn, ListPage, ownerColumn } from '../../components/ListPage';
import { OwnedActions, OwnerProps } from '../../components/OwnedActions';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail } from '../../hooks';
import { PromptButton, required, templateText, treeToTemplate, vectorText } from '../storage/common';

export const POLICIES = ['NONE', 'AFFINED', 'ANTI_AFFINED'];

interface RoleValues {
  NAME: string;
  POLICY: string;
  HOST_AFFINED: string;
  HOST_ANTI_AFFINED: string;
}
interface FormValues {
  name: string;
  description: string;
  roles: RoleValues[];
  affined: string;
  antiAffined: string;
}

const EMPTY_ROLE: RoleValues = { NAME: '', POLICY: 'NONE', HOST_AFFINED: '', HOST_ANTI_AFFINED: '' };
const HOST_IDS = /^\s*\d+(\s*,\s*\d+)*\s*$/;
const checkHosts = (v: string) => v.trim() === '' || HOST_IDS.test(v) || 'Host IDs separated by commas, like 0, 3';

export function roleText(r: RoleValues): string {
  return vectorText('ROLE', { NAME: r.NAME.trim(), POLICY: r.POLICY, HOST_AFFINED: r.HOST_AFFINED.replace(/\s/g, ''), HOST_ANTI_AFFINED: r.HOST_ANTI_AFFINED.replace(/\s/g, '') });
}

export function VmGroupList() {
  return (
    <ListPage
      title="VM groups"
      kind="vmgroup"
      base="/vmgroups"
      create={[{ to: '/vmgroups/new', label: 'Create VM group' }]}
      searchHint="Search by name, owner, role"
      columns={[ownerColumn, groupColumn, { key: 'ROLES', label: 'Roles', render: (r) => (r.ROLES as string[]).join(', ') || '-' }, { key: 'VMS', label: 'VMs', sortable: true }]}
    />
  );
}

export function VmGroupCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { register, control, handleSubmit, formState, setError } = useForm<FormValues>({ defaultValues: { name: '', description: '', roles: [{ ...EMPTY_ROLE }], affined: '', antiAffined: '' } });
  const { fields, append, remove } = useFieldArray({ control, name: 'roles' });
  const e = formState.errors;
  const roleNames = (all: FormValues) => new Set(all.roles.map((r) => r.NAME.trim()));
  const checkRule = (v: string, all: FormValues) => {
    if (!v.trim()) return true;
    const names = v.split(',').map((n) => n.trim());
    const unknown = names.filter((n) => !roleNames(all).has(n));
    return unknown.length === 0 ? (names.length >= 2 || 'A rule names at least two roles') : `No role named ${unknown.join(', ')}`;
  };
  const submit = handleSubmit(async (v) => {
    const tpl = [templateText({ NAME: v.name.trim(), DESCRIPTION: v.description, AFFINED: v.affined, ANTI_AFFINED: v.antiAffined }), ...v.roles.map(roleText)].join('\n');
    try {
      const id = await call<number>('one.vmgroup.allocate', tpl);
      await qc.invalidateQueries({ queryKey: ['vmgroup'] });
      navigate(`/vmgroups/${id}`);
    } catch (err) {
      setError('root', { message: (err as Error).message });
    }
  });
  return (
    <section>
      <div className="page-head">
        <h1>Create a VM group</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Name" error={e.name?.message}>
          <input {...register('name', { validate: (v) => v.trim() !== '' || 'Enter a name' })} />
        </Field>
        <Field label="Description">
          <input {...register('description')} />
        </Field>
        <h2>Roles</h2>
        {fields.map((f, i) => (
          <fieldset key={f.id} className="panel" aria-label={`Role ${i + 1}`}>
            <legend>Role {i + 1}</legend>
            <div className="row">
              <Field label="Role name" error={e.roles?.[i]?.NAME?.message}>
                <input
                  {...register(`roles.${i}.NAME`, {
                    validate: (v, all) => (v.trim() === '' ? 'Enter the role name' : all.roles.filter((r) => r.NAME.trim() === v.trim()).length > 1 ? 'Two roles have this name' : true),
                  })}
                />
              </Field>
              <Field label="VM placement" hint="AFFINED: its VMs on one host; ANTI_AFFINED: each on another">
                <select {...register(`roles.${i}.POLICY`)}>
                  {POLICIES.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              </Field>
            </div>
            <div className="row">
              <Field label="Only on hosts" hint="Host IDs, comma separated" error={e.roles?.[i]?.HOST_AFFINED?.message}>
                <input {...register(`roles.${i}.HOST_AFFINED`, { validate: checkHosts })} />
              </Field>
              <Field label="Never on hosts" error={e.roles?.[i]?.HOST_ANTI_AFFINED?.message}>
                <input {...register(`roles.${i}.HOST_ANTI_AFFINED`, { validate: checkHosts })} />
              </Field>
            </div>
            {fields.length > 1 && (
              <button type="button" onClick={() => remove(i)}>
                Remove role {i + 1}
              </button>
            )}
          </fieldset>
        ))}
        <div className="buttons">
          <button type="button" onClick={() => append({ ...EMPTY_ROLE })}>
            Add a role
          </button>
        </div>
        <h2>Rules between roles</h2>
        <div className="row">
          <Field label="Roles on the same hosts" hint="Role names, comma separated" error={e.affined?.message}>
            <input {...register('affined', { validate: checkRule })} />
          </Field>
          <Field label="Roles on different hosts" error={e.antiAffined?.message}>
            <input {...register('antiAffined', { validate: checkRule })} />
          </Field>
        </div>
        <ErrorNote error={e.root ? new Error(e.root.message) : null} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? 'Creating…' : 'Create VM group'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function VmGroupDetail() {
  const { id, obj: g, guard } = useDetail('vmgroup', 'vmgroup', 'VM_GROUP');
  const act = useAct('vmgroup');
  if (guard) return guard;
  const roles = asArray<Tree>(g.ROLES?.ROLE);
  const what = `VM group ${id} (${g.NAME})`;
  const rules = (k: string) => asArray<string>(g.TEMPLATE?.[k]).map(String);
  return (
    <section>
      <div className="page-head">
        <h1>
          VM group {g.ID}: {g.NAME}
        </h1>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <OwnedActions obj={g} prefix="vmgroup" kind="vmgroup" noun="VM group" base="/vmgroups" deleteNote="oned refuses while VMs are in it." />
      </div>
      <Tabs
        tabs={[
          {
            id: 'roles',
            label: 'Roles',
            render: () => (
              <>
                <p className="actions">
                  <PromptButton
                    label="Add role"
                    title={`Add a role to ${what}`}
                    fields={[
                      { name: 'NAME', label: 'Role name', check: required('the role name') },
                      { name: 'POLICY', label: 'VM placement', type: 'select', options: POLICIES.map((p) => ({ value: p, label: p })) },
                      { name: 'HOST_AFFINED', label: 'Only on hosts (IDs)', check: (v) => (checkHosts(v) === true ? '' : String(checkHosts(v))) },
                      { name: 'HOST_ANTI_AFFINED', label: 'Never on hosts (IDs)', check: (v) => (checkHosts(v) === true ? '' : String(checkHosts(v))) },
                    ]}
                    onSubmit={(v) => act('one.vmgroup.roleadd', id, roleText(v as unknown as RoleValues))}
                  />
                </p>
                <HeadedTable label={`Roles of ${what}`} head={['ID', 'Name', 'Placement', 'Only on hosts', 'Never on hosts', 'VMs', 'Actions']}>
                  {roles.map((r) => {
                    const vms = String(r.VMS ?? '')
                      .split(',')
                      .filter((v) => v.trim() !== '');
                    return (
                      <tr key={String(r.ID)} data-role={r.NAME}>
                        <td>{r.ID}</td>
                        <td>{r.NAME}</td>
                        <td>{r.POLICY || 'NONE'}</td>
                        <td>{r.HOST_AFFINED || '-'}</td>
                        <td>{r.HOST_ANTI_AFFINED || '-'}</td>
                        <td>
                          {vms.length === 0
                            ? '-'
                            : vms.map((v) => (
                                <Link key={v} to={`/vms/${v}`} style={{ marginRight: '0.4em' }}>
                                  VM {v}
                                </Link>
                              ))}
                        </td>
                        <td>
                          <ConfirmButton label={`Delete role ${r.NAME}`} danger disabled={vms.length > 0} title={vms.length ? 'The role has VMs' : undefined} question={`Delete role ${r.NAME} of ${what}?`} onConfirm={() => act('one.vmgroup.roledelete', id, Number(r.ID))} />
                        </td>
                      </tr>
                    );
                  })}
                </HeadedTable>
              </>
            ),
          },
          {
            id: 'rules',
            label: 'Rules',
            render: () => (
              <dl className="props panel">
                <dt>On the same hosts</dt>
                <dd>{rules('AFFINED').join('; ') || '-'}</dd>
                <dt>On different hosts</dt>
                <dd>{rules('ANTI_AFFINED').join('; ') || '-'}</dd>
              </dl>
            ),
          },
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <OwnerProps obj={g} />
                <dt>Description</dt>
                <dd>{g.TEMPLATE?.DESCRIPTION || '-'}</dd>
              </dl>
            ),
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(g.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

/**
 * Security groups: the list; a group's page with its rules, the VMs that have its rules
 * (updated), still wait for them (outdated) or failed to get them (error), and "commit" that
 * pushes the rules to the VMs again; a form of rules to create or update one; clone, owner,
 * permissions and delete with a confirmation.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useFieldArray, useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { asArray, call, pool, type Row, type Tree } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { groupColumn, ListPage, ownerColumn } from '../../components/ListPage';
import { OwnedActions, OwnerProps } from '../../components/OwnedActions';
import { Tabs } from '../../components/Tabs';
import { useAct, useDetail } from '../../hooks';
import { templateText, treeToTemplate, vectorText } from '../storage/common';

export const PROTOCOLS = ['ALL', 'TCP', 'UDP', 'ICMP', 'ICMPv6', 'IPSEC'];

export interface RuleValues {
  PROTOCOL: string;
  RULE_TYPE: string;
  RANGE: string;
  IP: string;
  SIZE: string;
  NETWORK_ID: string;
  ICMP_TYPE: string;
}
interface FormValues {
  name: string;
  description: string;
  rules: RuleValues[];
}

const EMPTY_RULE: RuleValues = { PROTOCOL: 'TCP', RULE_TYPE: 'inbound', RANGE: '', IP: '', SIZE: '', NETWORK_ID: '', ICMP_TYPE: '' };

/** A rule's fields from the group's template (what the update form starts from). */
function ruleValues(r: Tree): RuleValues {
  return { ...EMPTY_RULE, ...Object.fromEntries(Object.keys(EMPTY_RULE).map((k) => [k, String(r[k] ?? (k === 'ICMP_TYPE' ? (r.ICMPv6_TYPE ?? '') : ''))])) } as RuleValues;
}

/** The group's template text: name, description and one RULE per row. */
export function secGroupTemplate(v: FormValues): string {
  const rules = v.rules.map((r) =>
    vectorText('RULE', {
      PROTOCOL: r.PROTOCOL,
      RULE_TYPE: r.RULE_TYPE,
      RANGE: r.PROTOCOL === 'TCP' || r.PROTOCOL === 'UDP' ? r.RANGE : undefined,
      IP: r.IP,
      SIZE: r.IP ? r.SIZE : undefined,
      NETWORK_ID: r.NETWORK_ID,
      [r.PROTOCOL === 'ICMPv6' ? 'ICMPv6_TYPE' : 'ICMP_TYPE']: r.PROTOCOL.startsWith('ICMP') ? r.ICMP_TYPE : undefined,
    }),
  );
  return [templateText({ NAME: v.name.trim(), DESCRIPTION: v.description }), ...rules].filter(Boolean).join('\n');
}

const RANGE = /^\d+(:\d+)?(,\s*\d+(:\d+)?)*$/;

/** The rules form (create and update): a row per rule, checked before anything is sent. */
function SecGroupForm({ initial, submitLabel, onSubmit, nameFixed }: { initial: FormValues; submitLabel: string; onSubmit: (v: FormValues) => Promise<unknown>; nameFixed?: boolean }) {
  const { register, control, handleSubmit, watch, formState, setError } = useForm<FormValues>({ defaultValues: initial });
  const { fields, append, remove } = useFieldArray({ control, name: 'rules' });
  const vnets = useQuery({ queryKey: ['vnet', 'pool', 'all'], queryFn: () => pool('vnet', { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const submit = handleSubmit(async (v) => {
    try {
      await onSubmit(v);
    } catch (err) {
      setError('root', { message: (err as Error).message });
    }
  });
  const e = formState.errors;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Security group">
      {!nameFixed && (
        <Field label="Name" error={e.name?.message}>
          <input {...register('name', { validate: (v) => v.trim() !== '' || 'Enter a name' })} />
        </Field>
      )}
      <Field label="Description">
        <input {...register('description')} />
      </Field>
      <h2>Rules</h2>
      {fields.length === 0 && <p>No rules: the VMs' traffic is not let through by this group.</p>}
      {fields.map((f, i) => {
        const proto = watch(`rules.${i}.PROTOCOL`);
        const re = e.rules?.[i];
        return (
          <fieldset key={f.id} className="panel" aria-label={`Rule ${i + 1}`}>
            <legend>Rule {i + 1}</legend>
            <div className="row">
              <Field label="Direction">
                <select {...register(`rules.${i}.RULE_TYPE`)}>
                  <option value="inbound">inbound</option>
                  <option value="outbound">outbound</option>
                </select>
              </Field>
              <Field label="Protocol">
                <select {...register(`rules.${i}.PROTOCOL`)}>
                  {PROTOCOLS.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              </Field>
              {(proto === 'TCP' || proto === 'UDP') && (
                <Field label="Ports" hint="Empty for all; 22 or 1000:2000, comma separated" error={re?.RANGE?.message}>
                  <input {...register(`rules.${i}.RANGE`, { validate: (v) => v.trim() === '' || RANGE.test(v.trim()) || 'Ports like 22, 80:90 (numbers, ranges with a colon)' })} />
                </Field>
              )}
              {proto.startsWith('ICMP') && (
                <Field label="ICMP type" hint="Empty for all">
                  <input {...register(`rules.${i}.ICMP_TYPE`, { validate: (v) => v.trim() === '' || /^\d+$/.test(v.trim()) || 'A number' })} />
                </Field>
              )}
            </div>
            <div className="row">
              <Field label="From/to IP" hint="Empty for any address" error={re?.IP?.message}>
                <input {...register(`rules.${i}.IP`)} />
              </Field>
              <Field label="Addresses from that IP" error={re?.SIZE?.message}>
                <input {...register(`rules.${i}.SIZE`, { validate: (v, all) => !all.rules[i]?.IP.trim() || /^\d+$/.test(v.trim()) || 'How many addresses, a whole number' })} />
              </Field>
              <Field label="Or a network">
                <select {...register(`rules.${i}.NETWORK_ID`)}>
                  <option value="">Any</option>
                  {(vnets.data?.rows ?? []).map((r: Row) => (
                    <option key={String(r.ID)} value={String(r.ID)}>
                      {String(r.ID)}: {String(r.NAME)}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <button type="button" onClick={() => remove(i)}>
              Remove rule {i + 1}
            </button>
          </fieldset>
        );
      })}
      <div className="buttons">
        <button type="button" onClick={() => append({ ...EMPTY_RULE })}>
          Add a rule
        </button>
      </div>
      <ErrorNote error={e.root ? new Error(e.root.message) : null} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? 'Working…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

export function SecGroupList() {
  return (
    <ListPage
      title="Security groups"
      kind="secgroup"
      base="/secgroups"
      create={[{ to: '/secgroups/new', label: 'Create security group' }]}
      columns={[
        ownerColumn,
        groupColumn,
        { key: 'RULES', label: 'Rules', sortable: true },
        { key: 'UPDATED', label: 'VMs (updated / outdated / error)', render: (r) => `${r.UPDATED} / ${r.OUTDATED} / ${r.ERROR}` },
      ]}
    />
  );
}

export function SecGroupCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  return (
    <section>
      <div className="page-head">
        <h1>Create a security group</h1>
      </div>
      <SecGroupForm
        initial={{ name: '', description: '', rules: [{ ...EMPTY_RULE }] }}
        submitLabel="Create security group"
        onSubmit={async (v) => {
          const id = await call<number>('one.secgroup.allocate', secGroupTemplate(v));
          await qc.invalidateQueries({ queryKey: ['secgroup'] });
          navigate(`/secgroups/${id}`);
        }}
      />
    </section>
  );
}

function VmIds({ ids, label }: { ids: string[]; label: string }) {
  return (
    <section className="panel" aria-label={label}>
      <h2>{label}</h2>
      {ids.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul className="failures">
          {ids.map((v) => (
            <li key={v}>
              <Link to={`/vms/${v}`}>VM {v}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function SecGroupDetail() {
  const { id, obj: sg, guard } = useDetail('secgroup', 'secgroup', 'SECURITY_GROUP');
  const act = useAct('secgroup', 'vm');
  if (guard) return guard;
  const rules = asArray<Tree>(sg.TEMPLATE?.RULE);
  const ids = (k: string) => asArray<string>(sg[k]?.ID).map(String);
  const outdated = [...ids('OUTDATED_VMS'), ...ids('UPDATING_VMS')];
  const what = `security group ${id} (${sg.NAME})`;
  return (
    <section>
      <div className="page-head">
        <h1>
          Security group {sg.ID}: {sg.NAME}
        </h1>
      </div>
      <div className="actions" style={{ marginBottom: '0.8rem' }}>
        <ConfirmButton label="Commit" question={`Push the rules of ${what} to all its VMs again?`} onConfirm={() => act('one.secgroup.commit', id, false)} />
        <ConfirmButton label="Retry failed" disabled={outdated.length + ids('ERROR_VMS').length === 0} question={`Push the rules of ${what} to the VMs that are outdated or failed?`} onConfirm={() => act('one.secgroup.commit', id, true)} />
        <OwnedActions obj={sg} prefix="secgroup" kind="secgroup" noun="security group" base="/secgroups" clone deleteNote="oned refuses while VMs use it." />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <OwnerProps obj={sg} />
                <dt>Description</dt>
                <dd>{sg.TEMPLATE?.DESCRIPTION || '-'}</dd>
                <dt>Rules</dt>
                <dd>{rules.length}</dd>
              </dl>
            ),
          },
          {
            id: 'rules',
            label: 'Rules',
            render: () =>
              rules.length === 0 ? (
                <p className="panel">No rules.</p>
              ) : (
                <div className="panel scroll-x">
                  <table>
                    <caption className="visually-hidden">Rules of {what}</caption>
                    <thead>
                      <tr>
                        {['Direction', 'Protocol', 'Ports', 'ICMP type', 'Addresses', 'Network'].map((h) => (
                          <th key={h} scope="col">
                            {h}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {rules.map((r, i) => (
                        <tr key={i} data-rule={i}>
                          <td>{r.RULE_TYPE}</td>
                          <td>{r.PROTOCOL}</td>
                          <td>{r.RANGE || (r.PROTOCOL === 'TCP' || r.PROTOCOL === 'UDP' ? 'all' : '-')}</td>
                          <td>{r.ICMP_TYPE ?? r.ICMPv6_TYPE ?? '-'}</td>
                          <td>{r.IP ? `${r.IP} (+${r.SIZE ?? 1})` : 'any'}</td>
                          <td>{r.NETWORK_ID !== undefined && r.NETWORK_ID !== '' ? <Link to={`/vnets/${r.NETWORK_ID}`}>network {r.NETWORK_ID}</Link> : '-'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ),
          },
          {
            id: 'vms',
            label: 'VMs',
            render: () => (
              <div className="dash-grid">
                <VmIds label="Updated" ids={ids('UPDATED_VMS')} />
                <VmIds label="Outdated" ids={outdated} />
                <VmIds label="Error" ids={ids('ERROR_VMS')} />
              </div>
            ),
          },
          {
            id: 'update',
            label: 'Update',
            render: () => (
              <SecGroupForm
                key={JSON.stringify(sg.TEMPLATE)}
                nameFixed
                initial={{ name: String(sg.NAME), description: String(sg.TEMPLATE?.DESCRIPTION ?? ''), rules: rules.map(ruleValues) }}
                submitLabel="Update rules"
                onSubmit={(v) => act('one.secgroup.update', id, secGroupTemplate(v).replace(/^NAME = .*\n?/, ''), 0)}
              />
            ),
          },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{treeToTemplate(sg.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

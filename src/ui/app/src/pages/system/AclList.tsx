/**
 * ACL rules as OpenNebula writes them (`@1 VM+IMAGE/* USE+MANAGE #0`) with who and what in
 * words beside them; a rule is added from its text (the server turns it into oned's hex form)
 * and deleted after a confirmation.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { asArray, pool } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useCall } from '../../hooks';
import { addAclRule } from './acl-api';
import { Field } from '../../components/Field';
import '../dashboard/infra.css';

interface Acl {
  ID: string;
  STRING: string;
}

/** "@1" → "members of group 1 (users)", "#3" → "user 3 (ann)", "*" → "everyone". */
function who(part: string, users: Map<number, string>, groups: Map<number, string>): string {
  if (part === '*') return 'everyone';
  const id = Number(part.slice(1));
  if (part.startsWith('@')) return `members of group ${id}${groups.has(id) ? ` (${groups.get(id)})` : ''}`;
  if (part.startsWith('#')) return `user ${id}${users.has(id) ? ` (${users.get(id)})` : ''}`;
  if (part.startsWith('%')) return `cluster ${id}`;
  return part;
}

function what(part: string): string {
  const [types = '', scope = ''] = part.split('/');
  const list = types.split('+').join(', ');
  if (scope === '*') return `all ${list}`;
  if (scope.startsWith('#')) return `${list} ${scope.slice(1)}`;
  if (scope.startsWith('@')) return `${list} of group ${scope.slice(1)}`;
  if (scope.startsWith('%')) return `${list} in cluster ${scope.slice(1)}`;
  return part;
}

/** The rule's shape, checked before it is sent: USER RESOURCES RIGHTS [ZONE]. */
export function ruleError(text: string): string | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 'Enter a rule such as "@1 VM+IMAGE/* USE+MANAGE"';
  if (words.length < 3 || words.length > 4) return 'A rule has 3 or 4 parts: USER RESOURCES RIGHTS [ZONE]';
  if (!/^(\*|[#@]\d+)$/.test(words[0]!)) return 'The user part is * , #<user id> or @<group id>';
  if (!words[1]!.includes('/')) return 'The resources part is TYPES/ID, such as VM+IMAGE/*';
  return undefined;
}

export function AclList() {
  const { data, error } = useCall(['acl', 'info'], 'one.acl.info', []);
  const users = useQuery({ queryKey: ['user', 'pool', 'all'], queryFn: () => pool('user', { limit: 1000 }) });
  const groups = useQuery({ queryKey: ['group', 'pool', 'all'], queryFn: () => pool('group', { limit: 1000 }) });
  const act = useAct('acl');
  const userNames = new Map((users.data?.rows ?? []).map((u) => [Number(u.ID), String(u.NAME)]));
  const groupNames = new Map((groups.data?.rows ?? []).map((g) => [Number(g.ID), String(g.NAME)]));
  const rules = asArray<Acl>(data?.ACL_POOL?.ACL).sort((a, b) => Number(a.ID) - Number(b.ID));
  return (
    <section>
      <div className="page-head">
        <h1>Access control lists</h1>
      </div>
      <CreateRule />
      <ErrorNote error={error} />
      <div className="datatable scroller">
        <table aria-label="ACL rules" className="wrap">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Rule</th>
              <th scope="col" className="wide">
                Meaning
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const [u = '', res = '', rights = '', zone] = r.STRING.split(' ');
              return (
                <tr key={r.ID} data-id={r.ID}>
                  <td>{r.ID}</td>
                  <td className="acl-string">{r.STRING}</td>
                  <td className="wide">
                    {who(u, userNames, groupNames)} may {rights.split('+').join(', ')} {what(res)}
                    {zone && zone !== '*' ? ` in zone ${zone.slice(1)}` : zone === '*' ? ' in every zone' : ''}
                  </td>
                  <td>
                    <ConfirmButton label={`Delete rule ${r.ID}`} danger question={`Delete ACL rule ${r.ID} "${r.STRING}"?`} onConfirm={() => act('one.acl.delrule', Number(r.ID))} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CreateRule() {
  const qc = useQueryClient();
  const [rule, setRule] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const fieldErr = touched ? ruleError(rule) : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setDone('');
    if (ruleError(rule)) return;
    setError('');
    let id: number;
    try {
      id = await addAclRule(rule);
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    setDone(`Rule ${id} added`);
    setRule('');
    setTouched(false);
    await qc.invalidateQueries({ queryKey: ['acl'] });
  };
  return (
    <form className="inline-form panel" onSubmit={submit} noValidate aria-label="Create ACL rule">
      <Field label="New rule" error={fieldErr} hint='USER RESOURCES RIGHTS [ZONE], e.g. "@1 VM+IMAGE/* USE+MANAGE"'>
        <input className="acl-string" size={40} value={rule} onChange={(e) => setRule(e.target.value)} onBlur={() => rule && setTouched(true)} />
      </Field>
      <button type="submit" className="primary">
        Create rule
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {done && <p role="status">{done}</p>}
    </form>
  );
}

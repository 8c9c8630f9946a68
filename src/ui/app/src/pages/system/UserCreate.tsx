/** Creates a user: name, password, auth driver and primary group; fields say what is wrong before submit. */
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { pool } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useSubmit } from '../../hooks';
import { AUTH_DRIVERS } from './auth-drivers';
import { Field, nameError } from '../../components/Field';
import '../dashboard/infra.css';

export function UserCreate() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [driver, setDriver] = useState('core');
  const [group, setGroup] = useState('1');
  const [shown, setShown] = useState<Record<string, boolean>>({});
  const { busy, error, run } = useSubmit();
  const groups = useQuery({ queryKey: ['group', 'pool', 'all'], queryFn: () => pool('group', { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const act = useAct('user', 'group');
  const navigate = useNavigate();
  const errors = {
    name: nameError(name, 'user') ?? (/[\s:]/.test(name) ? 'A user name has no spaces or colons' : undefined),
    password: driver === 'core' && !password ? 'Enter a password' : /\s/.test(password) && driver === 'core' ? 'A password has no spaces' : undefined,
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShown({ name: true, password: true });
    if (errors.name || errors.password) return;
    await run(async () => {
      const id = await act<number>('one.user.allocate', name, password, driver, [Number(group)]);
      navigate(`/users/${id}`);
    });
  };
  return (
    <section>
      <h1>Create user</h1>
      <form className="form" onSubmit={submit} noValidate aria-label="Create user">
        <Field label="User name" error={shown.name ? errors.name : undefined}>
          <input value={name} onChange={(e) => setName(e.target.value)} onBlur={() => setShown((s) => ({ ...s, name: true }))} autoComplete="off" />
        </Field>
        <Field label="Password" error={shown.password ? errors.password : undefined} hint="For ssh and x509 users: their public key or certificate subject">
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} onBlur={() => setShown((s) => ({ ...s, password: true }))} autoComplete="new-password" />
        </Field>
        <div className="row">
          <Field label="Auth driver">
            <select value={driver} onChange={(e) => setDriver(e.target.value)}>
              {AUTH_DRIVERS.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </Field>
          <Field label="Primary group">
            <select value={group} onChange={(e) => setGroup(e.target.value)}>
              {(groups.data?.rows ?? [{ ID: 1, NAME: 'users' }]).map((g) => (
                <option key={String(g.ID)} value={String(g.ID)}>
                  {String(g.ID)}: {String(g.NAME)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="button" onClick={() => navigate('/users')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
    </section>
  );
}

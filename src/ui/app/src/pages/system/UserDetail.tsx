/**
 * One user: info, groups (add, remove, change the primary one), password, auth driver, quotas;
 * enable/disable and delete. Every change asks first and shows oned's refusal in the dialog.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { asArray, pool } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo } from '../../hooks';
import { AUTH_DRIVERS } from './auth-drivers';
import { Quotas } from './Quota';
import '../dashboard/infra.css';

export function UserDetail() {
  const id = Number(useParams().id);
  const { data: user, error } = useInfo('user', 'user', id, 'USER');
  const act = useAct('user', 'group');
  if (error) return <ErrorNote error={error} />;
  if (!user) return <p>Loading…</p>;
  const enabled = Number(user.ENABLED) === 1;
  const label = `user ${user.ID} (${user.NAME})`;
  return (
    <section>
      <div className="page-head">
        <h1>
          User {user.ID}: {user.NAME}
        </h1>
        <span className={`state ${enabled ? 'ok' : 'off'}`}>{enabled ? 'enabled' : 'disabled'}</span>
        <div className="actions">
          {enabled ? (
            <ConfirmButton label="Disable" question={`Disable ${label}? They can no longer log in.`} onConfirm={() => act('one.user.enable', id, false)} />
          ) : (
            <ConfirmButton label="Enable" question={`Enable ${label}?`} onConfirm={() => act('one.user.enable', id, true)} />
          )}
          <DeleteButton question={`Delete ${label}? oned refuses while they own objects.`} onDelete={() => act('one.user.delete', id)} then="/users" />
        </div>
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <dl className="props panel">
                <dt>ID</dt>
                <dd>{user.ID}</dd>
                <dt>Name</dt>
                <dd>{user.NAME}</dd>
                <dt>Primary group</dt>
                <dd>
                  <Link to={`/groups/${user.GID}`}>{user.GNAME}</Link>
                </dd>
                <dt>Auth driver</dt>
                <dd>{user.AUTH_DRIVER}</dd>
                <dt>Enabled</dt>
                <dd>{enabled ? 'yes' : 'no'}</dd>
              </dl>
            ),
          },
          { id: 'groups', label: 'Groups', render: () => <UserGroups user={user} act={act} /> },
          { id: 'auth', label: 'Password and auth', render: () => <UserAuth user={user} act={act} /> },
          { id: 'quotas', label: 'Quotas', render: () => <Quotas kind="user" id={id} obj={user} /> },
        ]}
      />
    </section>
  );
}

type Act = ReturnType<typeof useAct>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type User = any;

function UserGroups({ user, act }: { user: User; act: Act }) {
  const groups = useQuery({ queryKey: ['group', 'pool', 'all'], queryFn: () => pool('group', { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const names = new Map((groups.data?.rows ?? []).map((g) => [Number(g.ID), String(g.NAME)]));
  const mine = asArray<string>(user.GROUPS?.ID).map(Number);
  const others = (groups.data?.rows ?? []).filter((g) => !mine.includes(Number(g.ID)));
  const [pick, setPick] = useState('');
  const chosen = pick || String(others[0]?.ID ?? '');
  const uid = Number(user.ID);
  return (
    <section className="panel" aria-labelledby="ug-h">
      <h2 id="ug-h">Groups</h2>
      <ul className="failures" data-testid="user-groups">
        {mine.map((gid) => (
          <li key={gid}>
            <Link to={`/groups/${gid}`}>
              {gid}: {names.get(gid) ?? ''}
            </Link>
            {gid === Number(user.GID) ? (
              <strong>primary</strong>
            ) : (
              <>
                <ConfirmButton label={`Make group ${gid} primary`} question={`Make ${names.get(gid) ?? gid} the primary group of ${user.NAME}?`} onConfirm={() => act('one.user.chgrp', uid, gid)} />
                <ConfirmButton label={`Remove from group ${gid}`} question={`Remove ${user.NAME} from group ${names.get(gid) ?? gid}?`} onConfirm={() => act('one.user.delgroup', uid, gid)} />
              </>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <div className="inline-form">
          <label>
            Add to group
            <select value={chosen} onChange={(e) => setPick(e.target.value)}>
              {others.map((g) => (
                <option key={String(g.ID)} value={String(g.ID)}>
                  {String(g.ID)}: {String(g.NAME)}
                </option>
              ))}
            </select>
          </label>
          <ConfirmButton
            label="Add to group"
            question={`Add ${user.NAME} to group ${names.get(Number(chosen)) ?? chosen}?`}
            onConfirm={async () => {
              await act('one.user.addgroup', uid, Number(chosen));
              setPick('');
            }}
          />
        </div>
      )}
    </section>
  );
}

function UserAuth({ user, act }: { user: User; act: Act }) {
  const [password, setPassword] = useState('');
  const [driver, setDriver] = useState(String(user.AUTH_DRIVER));
  const uid = Number(user.ID);
  return (
    <div className="dash-grid">
      <section className="panel" aria-labelledby="pw-h">
        <h2 id="pw-h">Password</h2>
        <div className="inline-form">
          <label>
            New password
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </label>
          <ConfirmButton
            label="Change password"
            question={`Change the password of ${user.NAME}?`}
            onConfirm={async () => {
              if (!password) throw new Error('Enter the new password first');
              await act('one.user.passwd', uid, password);
              setPassword('');
            }}
          />
        </div>
      </section>
      <section className="panel" aria-labelledby="au-h">
        <h2 id="au-h">Auth driver</h2>
        <div className="inline-form">
          <label>
            Driver
            <select value={driver} onChange={(e) => setDriver(e.target.value)}>
              {[...new Set([...AUTH_DRIVERS, String(user.AUTH_DRIVER)])].map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <ConfirmButton label="Change auth driver" question={`Make ${user.NAME} log in through the ${driver} driver?`} onConfirm={() => act('one.user.chauth', uid, driver, '')} />
        </div>
      </section>
    </div>
  );
}

/** One group: its users (primary or secondary members), its quotas; delete. */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { asArray, pool } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo } from '../../hooks';
import { Quotas } from './Quota';
import '../dashboard/infra.css';

export function GroupDetail() {
  const id = Number(useParams().id);
  const { data: group, error } = useInfo('group', 'group', id, 'GROUP');
  const users = useQuery({ queryKey: ['user', 'pool', 'all'], queryFn: () => pool('user', { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const act = useAct('group', 'user');
  const navigate = useNavigate();
  if (error) return <ErrorNote error={error} />;
  if (!group) return <p>Loading…</p>;
  const names = new Map((users.data?.rows ?? []).map((u) => [Number(u.ID), String(u.NAME)]));
  const members = asArray<string>(group.USERS?.ID).map(Number);
  const admins = new Set(asArray<string>(group.ADMINS?.ID).map(Number));
  return (
    <section>
      <div className="page-head">
        <h1>
          Group {group.ID}: {group.NAME}
        </h1>
        <ConfirmButton
          label="Delete"
          danger
          question={`Delete group ${group.ID} (${group.NAME})? oned refuses while it has users.`}
          onConfirm={async () => {
            await act('one.group.delete', id);
            navigate('/groups');
          }}
        />
      </div>
      <Tabs
        tabs={[
          {
            id: 'users',
            label: 'Users',
            render: () => (
              <section className="panel" aria-label="Users of the group">
                {members.length === 0 && <p>No users</p>}
                <ul className="failures" data-testid="group-users">
                  {members.map((uid) => (
                    <li key={uid}>
                      <Link to={`/users/${uid}`}>
                        {uid}: {names.get(uid) ?? ''}
                      </Link>
                      {admins.has(uid) && <strong>group admin</strong>}
                    </li>
                  ))}
                </ul>
              </section>
            ),
          },
          { id: 'quotas', label: 'Quotas', render: () => <Quotas kind="group" id={id} obj={group} /> },
        ]}
      />
    </section>
  );
}

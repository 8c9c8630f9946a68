/** The templates a user may instantiate, each with a button to the launch form. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { pool } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import './cloud.css';

export function Launch() {
  // Every template oned lets this user see (oned filters by ownership, group and ACLs).
  const { data, error, isLoading } = useQuery({ queryKey: ['template', 'pool', 'cloud-launch'], queryFn: () => pool('template', { sort: 'NAME', dir: 'asc', limit: 500 }) });
  return (
    <section>
      <div className="page-head">
        <h1>Launch a VM</h1>
      </div>
      <ErrorNote error={error} />
      {isLoading && <p>Loading…</p>}
      {data && data.rows.length === 0 && <p>No template is shared with you yet: ask your cloud's administrator for one.</p>}
      <ul className="cards" aria-label="Templates">
        {data?.rows.map((t) => (
          <li key={String(t.ID)} className="card">
            <h2>{String(t.NAME)}</h2>
            <p>
              {String(t.CPU || '?')} CPU, {String(t.MEMORY || '?')} MB · owner {String(t.UNAME)}
            </p>
            <Link className="button primary" to={`/launch/${t.ID}`} aria-label={`Launch ${String(t.NAME)}`}>
              Launch
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The user's quotas: what each limit allows and how much of it their objects use. */
import { asArray, type Tree } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useMyUser } from './me';
import { effectiveLimit, usageText, vmQuota, VM_QUOTA_FIELDS, type Usage } from './quota';
import './cloud.css';

function Bar({ u }: { u: Usage }) {
  if (u.limit === null) return null;
  const share = u.limit === 0 ? 1 : Math.min(1, u.used / u.limit);
  return (
    <div className={`bar${share >= 1 ? ' full' : ''}`} aria-hidden="true">
      <span style={{ width: `${Math.round(share * 100)}%` }} />
    </div>
  );
}

function QuotaTable({ caption, rows }: { caption: string; rows: [string, Usage, string][] }) {
  return (
    <div className="panel">
      <table className="quotas">
        <caption>
          <h2>{caption}</h2>
        </caption>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            <th scope="col">Used</th>
            <th scope="col" style={{ width: '30%' }}>
              <span className="visually-hidden">Share used</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, u, unit]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{usageText(u, unit)}</td>
              <td>
                <Bar u={u} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Per-object quotas (datastores, networks, images): one row per object and resource. */
function perObject(user: Tree, section: string, element: string, fields: [string, string, string][], noun: string): [string, Usage, string][] {
  const d = asArray<Tree>(user?.DEFAULT_USER_QUOTAS?.[section]?.[element]);
  return asArray<Tree>(typeof user?.[section] === 'object' ? user[section][element] : undefined).flatMap((q) =>
    fields.map(([k, label, unit]): [string, Usage, string] => [
      `${label}, ${noun} ${q.ID}`,
      { used: Number(q[`${k}_USED`] ?? 0), limit: effectiveLimit(q[k], d.find((x) => x.ID === q.ID)?.[k]) },
      unit,
    ]),
  );
}

export function Quotas() {
  const { data: user, error } = useMyUser();
  if (error) return <ErrorNote error={error} />;
  if (!user) return <p>Loading…</p>;
  const vm = vmQuota(user);
  const ds = perObject(user, 'DATASTORE_QUOTA', 'DATASTORE', [['IMAGES', 'Images', ''], ['SIZE', 'Size', 'MB']], 'datastore');
  const net = perObject(user, 'NETWORK_QUOTA', 'NETWORK', [['LEASES', 'Leases', '']], 'network');
  const img = perObject(user, 'IMAGE_QUOTA', 'IMAGE', [['RVMS', 'VMs using it', '']], 'image');
  return (
    <section>
      <div className="page-head">
        <h1>My quotas</h1>
      </div>
      <p className="hint">A limit your administrator left to the default shows the default; “no limit” means none applies to you (your group may still have one).</p>
      <QuotaTable caption="Virtual machines" rows={VM_QUOTA_FIELDS.map(([k, label, unit]) => [label, vm[k], unit])} />
      {ds.length > 0 && <QuotaTable caption="Datastores" rows={ds} />}
      {net.length > 0 && <QuotaTable caption="Networks" rows={net} />}
      {img.length > 0 && <QuotaTable caption="Images" rows={img} />}
    </section>
  );
}

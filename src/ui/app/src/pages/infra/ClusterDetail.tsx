/**
 * One cluster: its hosts, datastores and networks, each with add and remove
 * (one.cluster.addhost/delhost, adddatastore/deldatastore, addvnet/delvnet); rename, delete;
 * the Optimization tab (the scheduler's rebalancing plan).
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { asArray, pool } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useInfo } from '../../hooks';
import { RenameButton } from './Rename';
import { Tabs } from '../../components/Tabs';
import { ClusterOptimization } from './ClusterOptimization';
import '../dashboard/infra.css';

interface Member {
  title: string;
  /** Pool kind of the members and the API's word in add<word>/del<word>. */
  kind: 'host' | 'datastore' | 'vnet';
  verb: 'host' | 'datastore' | 'vnet';
  path: string;
  ids: number[];
}

export function ClusterDetail() {
  const id = Number(useParams().id);
  const { data: cluster, error } = useInfo('cluster', 'cluster', id, 'CLUSTER');
  const act = useAct('cluster', 'host', 'datastore', 'vnet');
  const navigate = useNavigate();
  if (error) return <ErrorNote error={error} />;
  if (!cluster) return <p>Loading…</p>;
  const members: Member[] = [
    { title: 'Hosts', kind: 'host', verb: 'host', path: '/hosts', ids: asArray<string>(cluster.HOSTS?.ID).map(Number) },
    { title: 'Datastores', kind: 'datastore', verb: 'datastore', path: '/datastores', ids: asArray<string>(cluster.DATASTORES?.ID).map(Number) },
    { title: 'Networks', kind: 'vnet', verb: 'vnet', path: '/vnets', ids: asArray<string>(cluster.VNETS?.ID).map(Number) },
  ];
  return (
    <section>
      <div className="page-head">
        <h1>
          Cluster {cluster.ID}: {cluster.NAME}
        </h1>
        <div className="actions">
          <RenameButton what="cluster" current={String(cluster.NAME)} onRename={(n) => act('one.cluster.rename', id, n)} />
          <ConfirmButton
            label="Delete"
            danger
            question={`Delete cluster ${cluster.ID} (${cluster.NAME})? oned refuses while it has hosts, datastores or networks.`}
            onConfirm={async () => {
              await act('one.cluster.delete', id);
              navigate('/clusters');
            }}
          />
        </div>
      </div>
      <Tabs
        tabs={[
          {
            id: 'members',
            label: 'Members',
            render: () => (
              <div className="dash-grid">
                {members.map((m) => (
                  <Members key={m.kind} m={m} clusterId={id} clusterName={String(cluster.NAME)} act={act} />
                ))}
              </div>
            ),
          },
          { id: 'optimization', label: 'Optimization', render: () => <ClusterOptimization id={id} /> },
        ]}
      />
    </section>
  );
}

function Members({ m, clusterId, clusterName, act }: { m: Member; clusterId: number; clusterName: string; act: ReturnType<typeof useAct> }) {
  const all = useQuery({ queryKey: [m.kind, 'pool', 'all'], queryFn: () => pool(m.kind, { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const [pick, setPick] = useState('');
  const names = new Map((all.data?.rows ?? []).map((r) => [Number(r.ID), String(r.NAME)]));
  const others = (all.data?.rows ?? []).filter((r) => !m.ids.includes(Number(r.ID)));
  const singular = m.title.slice(0, -1).toLowerCase();
  const chosen = pick || String(others[0]?.ID ?? '');
  return (
    <section className="panel" aria-labelledby={`cl-${m.kind}`}>
      <h2 id={`cl-${m.kind}`}>{m.title}</h2>
      {m.ids.length === 0 && <p>None</p>}
      <ul className="failures" data-testid={`cluster-${m.kind}s`}>
        {m.ids.map((mid) => (
          <li key={mid}>
            <Link to={`${m.path}/${mid}`}>
              {mid}: {names.get(mid) ?? ''}
            </Link>
            <ConfirmButton
              label={`Remove ${singular} ${mid}`}
              question={`Remove ${singular} ${mid} (${names.get(mid) ?? ''}) from cluster ${clusterName}? It goes to the default cluster.`}
              onConfirm={() => act(`one.cluster.del${m.verb}`, clusterId, mid)}
            />
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <div className="inline-form">
          <label>
            Add a {singular}
            <select value={chosen} onChange={(e) => setPick(e.target.value)}>
              {others.map((r) => (
                <option key={String(r.ID)} value={String(r.ID)}>
                  {String(r.ID)}: {String(r.NAME)}
                </option>
              ))}
            </select>
          </label>
          <ConfirmButton
            label={`Add ${singular}`}
            question={`Add ${singular} ${chosen} (${names.get(Number(chosen)) ?? ''}) to cluster ${clusterName}?`}
            onConfirm={async () => {
              await act(`one.cluster.add${m.verb}`, clusterId, Number(chosen));
              setPick('');
            }}
          />
        </div>
      )}
    </section>
  );
}

/**
 * A cluster's Optimization tab: "Optimize" asks the scheduler for a plan that rebalances the
 * cluster's VMs (one.cluster.optimize); the plan's actions show as they come (VM, operation,
 * target host and datastore, state); "Execute" applies it (one.cluster.planexecute), "Delete"
 * drops it (one.cluster.plandelete). The cluster is read again each second while the tab is open,
 * so a plan made or applied in the background shows without a reload.
 */
import { Link } from 'react-router';
import { asArray, type Tree } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { HeadedTable } from '../../components/HeadedTable';
import { useAct, useInfo } from '../../hooks';
import { when } from '../storage/common';

export const PLAN_STATES: Record<string, string> = { '-1': 'NONE', '0': 'READY', '1': 'APPLYING', '2': 'DONE', '3': 'ERROR', '4': 'TIMEOUT' };


export function ClusterOptimization({ id }: { id: number }) {
  const { data: cluster } = useInfo('cluster', 'cluster', id, 'CLUSTER', () => true);
  const act = useAct('cluster', 'vm');
  if (!cluster) return <p>Loading…</p>;
  const plan: Tree | undefined = cluster.PLAN && typeof cluster.PLAN === 'object' ? cluster.PLAN : undefined;
  const planState = plan ? String(plan.STATE ?? '-1') : '-1';
  const actions = asArray<Tree>(plan?.ACTION);
  const hasPlan = !!plan && planState !== '-1' && actions.length > 0;
  const what = `cluster ${id} (${cluster.NAME})`;
  return (
    <>
      <p>The scheduler proposes migrations that spread the load of the cluster's hosts; nothing moves until the plan is executed.</p>
      <div className="actions" role="group" aria-label="Optimization actions">
        <ConfirmButton label="Optimize" question={`Ask the scheduler for an optimization plan of ${what}?`} onConfirm={() => act('one.cluster.optimize', id)} />
        <ConfirmButton label="Execute plan" disabled={!hasPlan || planState !== '0'} title={hasPlan ? undefined : 'No plan to execute'} question={`Apply the ${actions.length} actions of the plan of ${what}?`} onConfirm={() => act('one.cluster.planexecute', id)} />
        <ConfirmButton label="Delete plan" danger disabled={!plan || planState === '-1'} question={`Delete the optimization plan of ${what}?`} onConfirm={() => act('one.cluster.plandelete', id)} />
      </div>
      {!plan || planState === '-1' ? (
        <p className="panel" data-testid="plan-state">
          No plan.
        </p>
      ) : (
        <>
          <p>
            Plan {plan.ID}: <span data-testid="plan-state" className="state">{PLAN_STATES[planState] ?? planState}</span>
          </p>
          {actions.length === 0 ? (
            <p className="panel">The plan has no actions: the cluster is balanced.</p>
          ) : (
            <HeadedTable label={`Plan of ${what}`} head={['#', 'VM', 'Operation', 'Host', 'Datastore', 'State', 'Time']}>
              {actions.map((a) => (
                <tr key={String(a.ID)} data-action={a.ID}>
                  <td>{a.ID}</td>
                  <td>
                    <Link to={`/vms/${a.VM_ID}`}>VM {a.VM_ID}</Link>
                  </td>
                  <td>{a.OPERATION}</td>
                  <td>{Number(a.HOST_ID) >= 0 ? <Link to={`/hosts/${a.HOST_ID}`}>host {a.HOST_ID}</Link> : '-'}</td>
                  <td>{Number(a.DS_ID) >= 0 ? a.DS_ID : '-'}</td>
                  <td>{PLAN_STATES[String(a.STATE)] ?? a.STATE}</td>
                  <td>{when(a.TIMESTAMP)}</td>
                </tr>
              ))}
            </HeadedTable>
          )}
        </>
      )}
    </>
  );
}

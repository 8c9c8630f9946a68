/**
 * One host: info, CPU and memory charts, the VMs on it, its template; enable, disable, offline,
 * flush, rename and delete, each after a confirmation that shows oned's refusal if any.
 */
import { Link, useParams } from 'react-router';
import { asArray, type Row } from '../../api';
import { ConfirmButton, DeleteButton } from '../../components/Confirm';
import { DataTable, type Column } from '../../components/DataTable';
import { idNameColumns } from '../../components/columns';
import { ErrorNote } from '../../components/ErrorNote';
import { VmState } from '../../components/State';
import { Tabs } from '../../components/Tabs';
import { useAct, useInfo } from '../../hooks';
import { HOST_STATES } from '../../states';
import { cpu, kb, UsageBar } from '../dashboard/UsageBar';
import { HostState, templateText } from './host-bits';
import { HostMonitoring } from './HostMonitoring';
import { HostPci } from './HostPci';
import { RenameButton } from './Rename';
import '../dashboard/infra.css';

const VM_COLUMNS: Column[] = [
  ...idNameColumns('/vms'),
  { key: 'STATE', label: 'State', sortable: true, render: (r: Row) => <VmState state={Number(r.STATE)} lcm={Number(r.LCM_STATE)} /> },
  { key: 'UNAME', label: 'Owner', sortable: true, wide: true },
  { key: 'CPU', label: 'CPU', sortable: true, wide: true },
  { key: 'MEMORY', label: 'Memory (MB)', sortable: true, wide: true },
];

export function HostDetail() {
  const id = Number(useParams().id);
  const { data: host, error } = useInfo('host', 'host', id, 'HOST');
  const act = useAct('host', 'vm', 'cluster');
  if (error) return <ErrorNote error={error} />;
  if (!host) return <p>Loading…</p>;
  const state = Number(host.STATE);
  const share = host.HOST_SHARE ?? {};
  const vmIds = asArray<string>(host.VMS?.ID).map(Number);
  const label = `host ${host.ID} (${host.NAME})`;
  const status = (s: number) => act('one.host.status', id, s);
  // What `onehost flush` does: the host takes no more VMs, and each of its VMs is flagged for
  // rescheduling so the scheduler moves it elsewhere.
  const flush = async () => {
    await status(1);
    const refused: string[] = [];
    for (const vm of vmIds) {
      try {
        await act('one.vm.action', 'resched', vm);
      } catch (err) {
        refused.push(`VM ${vm}: ${(err as Error).message}`);
      }
    }
    if (refused.length) throw new Error(`The host is disabled, but some VMs were not rescheduled: ${refused.join('; ')}`);
  };
  return (
    <section>
      <div className="page-head">
        <h1>
          Host {host.ID}: {host.NAME}
        </h1>
        <HostState state={state} />
        <span>{HOST_STATES[state]}</span>
      </div>
      <div className="actions" role="group" aria-label="Host actions">
        <ConfirmButton label="Enable" question={`Enable ${label}? New VMs may be placed on it.`} onConfirm={() => status(0)} disabled={state === 2 || state === 1} />
        <ConfirmButton label="Disable" question={`Disable ${label}? It keeps being monitored but takes no new VMs.`} onConfirm={() => status(1)} disabled={state === 4 || state === 7} />
        <ConfirmButton label="Offline" question={`Take ${label} offline? It is no longer monitored and takes no VMs.`} onConfirm={() => status(2)} disabled={state === 8} />
        <ConfirmButton label="Flush" question={`Flush ${label}? It is disabled and its ${vmIds.length} VM(s) are rescheduled to other hosts.`} onConfirm={flush} />
        <RenameButton what="host" current={String(host.NAME)} onRename={(n) => act('one.host.rename', id, n)} />
        <DeleteButton question={`Delete ${label}? oned refuses while VMs run on it.`} onDelete={() => act('one.host.delete', id)} then="/hosts" />
      </div>
      <Tabs
        tabs={[
          {
            id: 'info',
            label: 'Info',
            render: () => (
              <>
                <dl className="props panel">
                  <dt>ID</dt>
                  <dd>{host.ID}</dd>
                  <dt>State</dt>
                  <dd>{HOST_STATES[state]}</dd>
                  <dt>Cluster</dt>
                  <dd>
                    <Link to={`/clusters/${host.CLUSTER_ID}`}>{host.CLUSTER || host.CLUSTER_ID}</Link>
                  </dd>
                  <dt>Monitoring driver</dt>
                  <dd>{host.IM_MAD}</dd>
                  <dt>Virtualization driver</dt>
                  <dd>{host.VM_MAD}</dd>
                  <dt>Running VMs</dt>
                  <dd>{share.RUNNING_VMS ?? 0}</dd>
                </dl>
                <section className="panel" aria-label="Allocation">
                  <UsageBar label="Allocated CPU" used={Number(share.CPU_USAGE ?? 0)} total={Number(share.MAX_CPU ?? 0)} format={cpu} />
                  <UsageBar label="Allocated memory" used={Number(share.MEM_USAGE ?? 0)} total={Number(share.MAX_MEM ?? 0)} format={kb} />
                </section>
              </>
            ),
          },
          { id: 'monitoring', label: 'Monitoring', render: () => <HostMonitoring id={id} /> },
          { id: 'vms', label: 'VMs', render: () => <DataTable kind="vm" label={`VMs on host ${host.NAME}`} columns={VM_COLUMNS} where={{ HID: id }} height="60vh" /> },
          { id: 'pci', label: 'PCI devices', render: () => <HostPci host={host} /> },
          { id: 'template', label: 'Template', render: () => <pre className="raw">{templateText(host.TEMPLATE)}</pre> },
        ]}
      />
    </section>
  );
}

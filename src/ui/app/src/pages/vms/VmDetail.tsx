/**
 * One VM: its state, the actions the state allows and tabs for info, capacity, storage, network,
 * snapshots, backups, scheduled actions, history, log, monitoring and template. Live: a one-row listing of the VM keeps the
 * server's poll of the VM pool going, and the feed refreshes every tab when it changes.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { asArray, pool, type Tree } from '../../api';
import { hasVnc } from '../cloud/CloudVm';
import { ErrorNote } from '../../components/ErrorNote';
import { VmState } from '../../components/State';
import { Tabs } from '../../components/Tabs';
import { useInfo } from '../../hooks';
import { vmStateTone } from '../../states';
import { VmActions } from './VmActions';
import { VmLog } from './VmLog';
import { VmMonitoring } from './VmMonitoring';
import { SchedActionsTab } from './VmSchedActions';
import { CapacityTab, HistoryTab, InfoTab, NetworkTab, SnapshotsTab, TemplateTab } from './VmTabs';
import { StorageTab } from './VmDisks';
import { PciTab } from './VmPci';
import { BackupsTab } from './VmBackups';

/** The VNC console (a running VM with VNC graphics) and the serial output (kvm/qemu hosts keep it). */
function ConsoleLinks({ vm }: { vm: Tree }) {
  const running = Number(vm.STATE) === 3 && Number(vm.LCM_STATE) === 3;
  const history = asArray<Tree>(vm.HISTORY_RECORDS?.HISTORY);
  const serial = Number(vm.STATE) === 3 && ['kvm', 'qemu'].includes(String(history[history.length - 1]?.VM_MAD ?? ''));
  if (!(running && hasVnc(vm)) && !serial) return null;
  return (
    <p className="actions">
      {running && hasVnc(vm) && (
        <Link className="button" to={`/vms/${vm.ID}/console`}>
          Open console
        </Link>
      )}
      {serial && (
        <Link className="button" to={`/vms/${vm.ID}/serial`}>
          Serial output
        </Link>
      )}
    </p>
  );
}

export function VmDetail() {
  const raw = useParams().id;
  const id = Number(raw);
  const { data: vm, error } = useInfo('vm', 'vm', id, 'VM', (v) => Number(v.STATE) === 3 && vmStateTone(3, Number(v.LCM_STATE)) === 'busy');
  useQuery({ queryKey: ['vm', 'pool', 'watch', id], queryFn: () => pool('vm', { where: { ID: id }, limit: 1 }), enabled: Number.isInteger(id) });
  if (!Number.isInteger(id) || id < 0) return <ErrorNote error={new Error(`“${raw}” is not a VM id`)} />;
  if (error)
    return (
      <section>
        <h1>VM {id}</h1>
        <ErrorNote error={error} />
        <Link to="/vms">Back to the VM list</Link>
      </section>
    );
  if (!vm) return <p>Loading…</p>;
  return (
    <section>
      <div className="page-head">
        <h1>
          VM {vm.ID}: {vm.NAME}
        </h1>
        <span data-testid="vm-state">
          <VmState state={Number(vm.STATE)} lcm={Number(vm.LCM_STATE)} />
        </span>
      </div>
      <VmActions vm={vm} />
      <ConsoleLinks vm={vm} />
      <Tabs
        tabs={[
          { id: 'info', label: 'Info', render: () => <InfoTab vm={vm} /> },
          { id: 'capacity', label: 'Capacity', render: () => <CapacityTab vm={vm} /> },
          { id: 'storage', label: 'Storage', render: () => <StorageTab vm={vm} /> },
          { id: 'network', label: 'Network', render: () => <NetworkTab vm={vm} /> },
          { id: 'pci', label: 'PCI', render: () => <PciTab vm={vm} /> },
          { id: 'snapshots', label: 'Snapshots', render: () => <SnapshotsTab vm={vm} /> },
          { id: 'backups', label: 'Backups', render: () => <BackupsTab vm={vm} /> },
          { id: 'sched', label: 'Sched actions', render: () => <SchedActionsTab vm={vm} /> },
          { id: 'history', label: 'History', render: () => <HistoryTab vm={vm} /> },
          { id: 'log', label: 'Log', render: () => <VmLog id={id} /> },
          { id: 'monitoring', label: 'Monitoring', render: () => <VmMonitoring id={id} /> },
          { id: 'template', label: 'Template', render: () => <TemplateTab vm={vm} /> },
        ]}
      />
    </section>
  );
}

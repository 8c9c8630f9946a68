/**
 * One of the user's VMs in the cloud view: what it is and the few actions a user has (start,
 * power off, reboot, terminate, console), each offered only in the states where oned takes it
 * and each asking first. No deploy, migrate or host details: those are the admin's.
 */
import { Link, useNavigate, useParams } from 'react-router';
import { asArray, type Tree } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { ErrorNote } from '../../components/ErrorNote';
import { VmState } from '../../components/State';
import { useAct, useInfo } from '../../hooks';
import './cloud.css';

const S = { PENDING: 1, HOLD: 2, ACTIVE: 3, STOPPED: 4, SUSPENDED: 5, POWEROFF: 8, UNDEPLOYED: 9 } as const;
const LCM_RUNNING = 3;

export function hasVnc(vm: Tree): boolean {
  return asArray<Tree>(vm?.TEMPLATE?.GRAPHICS).some((g) => String(g?.TYPE ?? '').toLowerCase() === 'vnc');
}

export function CloudVm() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const act = useAct('vm');
  const { data: vm, error } = useInfo('vm', 'vm', id, 'VM');
  if (error) return <ErrorNote error={error} />;
  if (!vm) return <p>Loading…</p>;
  const state = Number(vm.STATE);
  const lcm = Number(vm.LCM_STATE);
  const running = state === S.ACTIVE && lcm === LCM_RUNNING;
  const startable = state === S.POWEROFF || state === S.SUSPENDED || state === S.STOPPED || state === S.UNDEPLOYED;
  const name = `VM ${vm.ID} (${vm.NAME})`;
  const action = (a: string) => () => act('one.vm.action', a, id);
  const history = asArray<Tree>(vm.HISTORY_RECORDS?.HISTORY);
  // Only our kvm driver keeps a VM's serial output (a file on its host).
  const serial = state === S.ACTIVE && ['kvm', 'qemu'].includes(String(history[history.length - 1]?.VM_MAD ?? ''));
  const ips = asArray<Tree>(vm.TEMPLATE?.NIC).map((n) => n.IP || n.IP6_GLOBAL).filter(Boolean);
  return (
    <section>
      <div className="page-head">
        <h1>
          VM {vm.ID}: {vm.NAME}
        </h1>
        <VmState state={state} lcm={lcm} />
      </div>
      <div className="actions panel" role="group" aria-label="Actions">
        {startable && <ConfirmButton label="Start" question={`Start ${name}?`} onConfirm={action('resume')} />}
        {running && <ConfirmButton label="Power off" question={`Power off ${name}? The guest is asked to shut down.`} onConfirm={action('poweroff')} />}
        {running && <ConfirmButton label="Reboot" question={`Reboot ${name}?`} onConfirm={action('reboot')} />}
        {running && hasVnc(vm) && (
          <Link className="button" to={`/vms/${id}/console`}>
            Open console
          </Link>
        )}
        {serial && (
          <Link className="button" to={`/vms/${id}/serial`}>
            Serial output
          </Link>
        )}
        <ConfirmButton
          label="Terminate"
          danger
          question={`Terminate ${name}? It is deleted with its disks that are not persistent.`}
          onConfirm={async () => {
            await act('one.vm.action', running || startable ? 'terminate' : 'terminate-hard', id);
            navigate('/');
          }}
        />
      </div>
      <dl className="props panel">
        <dt>CPU</dt>
        <dd>{vm.TEMPLATE?.CPU}</dd>
        <dt>Memory</dt>
        <dd>{vm.TEMPLATE?.MEMORY} MB</dd>
        <dt>IPs</dt>
        <dd>{ips.join(', ') || 'none'}</dd>
        <dt>Console</dt>
        <dd>{hasVnc(vm) ? (running ? 'VNC' : 'VNC, once the VM is running') : 'none (the template has no VNC graphics)'}</dd>
      </dl>
      <p>
        <Link to="/">Back to my VMs</Link>
      </p>
    </section>
  );
}

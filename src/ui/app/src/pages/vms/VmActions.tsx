/**
 * The actions a VM's state allows, each asking first: one.vm.action, and for admins deploy to a
 * chosen host, migrate and recover. The dialog shows oned's refusal as oned words it.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { asArray, pool, type Tree } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { useAct } from '../../hooks';
import { useMe } from '../../session';
import { UpdateConfButton } from './UpdateConf';
import { deployable, migratable, recoverable, VM_ACTIONS } from './vm-actions';

function HostSelect({ value, onChange, exclude }: { value: string; onChange: (v: string) => void; exclude?: number }) {
  const hosts = useQuery({ queryKey: ['host', 'pool', 'choices'], queryFn: () => pool('host', { limit: 500, sort: 'NAME' }) });
  return (
    <label>
      Host
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a host</option>
        {(hosts.data?.rows ?? [])
          .filter((h) => Number(h.ID) !== exclude)
          .map((h) => (
            <option key={String(h.ID)} value={String(h.ID)}>
              {String(h.NAME)} (ID {String(h.ID)})
            </option>
          ))}
      </select>
    </label>
  );
}

const RECOVER_OPS = [
  { op: 1, label: 'success: act as if the pending operation succeeded' },
  { op: 0, label: 'failure: act as if it failed' },
  { op: 2, label: 'retry the failed operation' },
  { op: 3, label: 'delete the VM' },
  { op: 4, label: 'delete and recreate (back to PENDING)' },
];

/** one.vm.resize takes POWEROFF, UNDEPLOYED, PENDING, HOLD, and RUNNING (hot, up to VCPU_MAX / MEMORY_MAX). */
function resizable(state: number, lcm: number): boolean {
  return [1, 2, 8, 9].includes(state) || (state === 3 && lcm === 3);
}

/** CPU, VCPU and MEMORY (MB) of the VM, changed together; oned says what it refuses (quota, host, limits). */
function ResizeButton({ vm, name, act }: { vm: Tree; name: string; act: (method: string, ...params: unknown[]) => Promise<unknown> }) {
  const [cpu, setCpu] = useState(String(vm.TEMPLATE?.CPU ?? ''));
  const [vcpu, setVcpu] = useState(String(vm.TEMPLATE?.VCPU ?? '1'));
  const [memory, setMemory] = useState(String(vm.TEMPLATE?.MEMORY ?? ''));
  const invalid =
    !(Number(cpu) > 0) ? 'CPU must be a positive number' : !/^[1-9]\d*$/.test(vcpu) ? 'Virtual CPUs must be a whole number of at least 1' : !/^[1-9]\d*$/.test(memory) ? 'Memory must be a whole number of MB' : undefined;
  return (
    <DialogButton label="Resize" title={`Resize ${name}`} invalid={invalid} onConfirm={() => act('one.vm.resize', Number(vm.ID), `CPU = ${cpu}\nVCPU = ${vcpu}\nMEMORY = ${memory}`, true)}>
      <label>
        CPU
        <input inputMode="decimal" value={cpu} onChange={(e) => setCpu(e.target.value)} />
      </label>
      <label>
        Virtual CPUs
        <input inputMode="numeric" value={vcpu} onChange={(e) => setVcpu(e.target.value)} />
      </label>
      <label>
        Memory (MB)
        <input inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value)} />
      </label>
    </DialogButton>
  );
}

export function VmActions({ vm }: { vm: Tree }) {
  const me = useMe();
  const act = useAct('vm', 'host');
  const id = Number(vm.ID);
  const state = Number(vm.STATE);
  const lcm = Number(vm.LCM_STATE);
  const history = asArray<Tree>(vm.HISTORY_RECORDS?.HISTORY);
  const hid = history.length ? Number(history[history.length - 1].HID) : -1;
  const [host, setHost] = useState('');
  const [live, setLive] = useState(false);
  const [recoverOp, setRecoverOp] = useState('1');
  const name = `VM ${id} (${vm.NAME})`;
  return (
    <div className="actions" role="group" aria-label="VM actions">
      {me.admin && deployable(state) && (
        <DialogButton label="Deploy" title={`Deploy ${name}`} invalid={host ? undefined : 'Choose a host'} onConfirm={() => act('one.vm.deploy', id, Number(host), false, -1)}>
          <HostSelect value={host} onChange={setHost} />
        </DialogButton>
      )}
      {me.admin && migratable(state, lcm) && (
        <DialogButton label="Migrate" title={`Migrate ${name}`} invalid={host ? undefined : 'Choose a host'} onConfirm={() => act('one.vm.migrate', id, Number(host), live, false, -1, 0)}>
          <HostSelect value={host} onChange={setHost} exclude={hid} />
          <label className="check">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live migration (the VM keeps running)
          </label>
        </DialogButton>
      )}
      {VM_ACTIONS.filter((a) => a.when(state, lcm)).map((a) => (
        <ConfirmButton key={a.action} label={a.label} danger={a.danger} question={`${a.verb} ${name}?`} onConfirm={() => act('one.vm.action', a.action, id)} />
      ))}
      {resizable(state, lcm) && <ResizeButton vm={vm} name={name} act={act} />}
      {state !== 6 && <UpdateConfButton vm={vm} />}
      {me.admin && recoverable(state, lcm) && (
        <DialogButton label="Recover" title={`Recover ${name}`} onConfirm={() => act('one.vm.recover', id, Number(recoverOp))}>
          <label>
            Operation
            <select value={recoverOp} onChange={(e) => setRecoverOp(e.target.value)}>
              {RECOVER_OPS.map((o) => (
                <option key={o.op} value={String(o.op)}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        </DialogButton>
      )}
    </div>
  );
}

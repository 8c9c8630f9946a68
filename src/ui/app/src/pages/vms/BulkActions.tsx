/**
 * The VM list's selection toolbar: one action for every selected VM, after confirmation. oned
 * judges each VM's state; the refusals (with oned's words) stay in the dialog, the VMs that
 * accepted go ahead.
 */
import { useState } from 'react';
import { ConfirmButton } from '../../components/Confirm';
import { useAct } from '../../hooks';
import { VM_ACTIONS } from './vm-actions';

export function BulkActions({ selected, clear }: { selected: number[]; clear: () => void }) {
  const act = useAct('vm', 'host');
  const [action, setAction] = useState('poweroff');
  const def = VM_ACTIONS.find((a) => a.action === action)!;
  const run = async () => {
    const failures: string[] = [];
    for (const id of selected) {
      try {
        await act('one.vm.action', action, id);
      } catch (err) {
        failures.push(`VM ${id}: ${(err as Error).message}`);
      }
    }
    if (failures.length) throw new Error(failures.join('\n'));
    clear();
  };
  return (
    <span className="actions">
      <label>
        <span className="visually-hidden">Action for the selected VMs</span>
        <select value={action} onChange={(e) => setAction(e.target.value)}>
          {VM_ACTIONS.map((a) => (
            <option key={a.action} value={a.action}>
              {a.label}
            </option>
          ))}
        </select>
      </label>
      <ConfirmButton
        label={`${def.label} selected`}
        danger={def.danger}
        disabled={selected.length === 0}
        title={selected.length === 0 ? 'Select VMs in the table first' : undefined}
        question={`${def.verb} ${selected.length === 1 ? `VM ${selected[0]}` : `${selected.length} VMs (${selected.join(', ')})`}?`}
        onConfirm={run}
      />
    </span>
  );
}

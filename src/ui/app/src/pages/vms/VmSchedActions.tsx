/**
 * The VM page's Sched actions tab: the VM's SCHED_ACTIONs (when each runs, its repeat and end,
 * when it last ran and what oned said), added, edited and deleted through one.vm.schedadd,
 * schedupdate and scheddelete. The dialog checks what oned checks before sending (a one-off
 * time in the past, days out of range) and shows oned's refusal when it still says no.
 */
import { useId, useState } from 'react';
import { asArray, type Tree } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { useAct } from '../../hooks';
import { time } from './format';
import { emptySched, endText, repeatText, REPEATS, SCHED_ACTIONS, schedError, schedTemplate, schedValues, type SchedValues } from './sched-actions';
import { HeadedTable } from '../../components/HeadedTable';

const now = () => Math.floor(Date.now() / 1000);

function SchedFields({ v, set, stime }: { v: SchedValues; set: (p: Partial<SchedValues>) => void; stime: number }) {
  const repeat = REPEATS.find((r) => r.value === v.repeat) ?? REPEATS[0]!;
  const mode = useId();
  const relativeAt = v.mode === 'relative' && /^\d+$/.test(v.relative.trim()) ? time(stime + Number(v.relative.trim())) : '';
  return (
    <>
      <label>
        Action
        <select value={v.action} onChange={(e) => set({ action: e.target.value })}>
          {SCHED_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>When</legend>
        <label className="check">
          <input type="radio" name={mode} checked={v.mode === 'date'} onChange={() => set({ mode: 'date' })} /> At a date and time
        </label>
        <label className="check">
          <input type="radio" name={mode} checked={v.mode === 'relative'} onChange={() => set({ mode: 'relative' })} /> Seconds after the VM started ({time(stime)})
        </label>
        {v.mode === 'date' ? (
          <label>
            Date and time
            <input type="datetime-local" step={1} value={v.date} onChange={(e) => set({ date: e.target.value })} />
          </label>
        ) : (
          <label>
            Seconds after the start
            <input inputMode="numeric" value={v.relative} onChange={(e) => set({ relative: e.target.value })} />
            {relativeAt && <small className="hint"> runs at {relativeAt}</small>}
          </label>
        )}
      </fieldset>
      <fieldset>
        <legend>Repeat</legend>
        <label>
          Repeats
          <select value={v.repeat} onChange={(e) => set({ repeat: e.target.value })}>
            {REPEATS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {v.repeat !== '-1' && (
          <>
            <label>
              {v.repeat === '3' ? 'Hours' : 'Days'} ({repeat.days})
              <input value={v.days} onChange={(e) => set({ days: e.target.value })} />
            </label>
            <label>
              Ends
              <select value={v.endType} onChange={(e) => set({ endType: e.target.value })}>
                <option value="0">Never</option>
                <option value="1">After a number of runs</option>
                <option value="2">On a date</option>
              </select>
            </label>
            {v.endType === '1' && (
              <label>
                Number of runs
                <input inputMode="numeric" value={v.endCount} onChange={(e) => set({ endCount: e.target.value })} />
              </label>
            )}
            {v.endType === '2' && (
              <label>
                End date
                <input type="datetime-local" step={1} value={v.endDate} onChange={(e) => set({ endDate: e.target.value })} />
              </label>
            )}
          </>
        )}
      </fieldset>
    </>
  );
}

/** The add or edit dialog: `sa` is the action edited, absent for a new one. */
function SchedDialog({ vm, sa }: { vm: Tree; sa?: Tree }) {
  const act = useAct('vm');
  const id = Number(vm.ID);
  const stime = Number(vm.STIME ?? 0);
  const [v, setV] = useState<SchedValues>(() => (sa ? schedValues(sa, stime) : emptySched(now())));
  const set = (p: Partial<SchedValues>) => setV((old) => ({ ...old, ...p }));
  const invalid = schedError(v, now(), stime);
  const label = sa ? `Edit scheduled action ${sa.ID}` : 'Add a scheduled action';
  const send = async () => {
    if (sa) await act('one.vm.schedupdate', id, Number(sa.ID), schedTemplate(v, stime));
    else {
      await act('one.vm.schedadd', id, schedTemplate(v, stime));
      setV(emptySched(now()));
    }
  };
  return (
    <DialogButton label={label} title={sa ? `Edit scheduled action ${sa.ID} of VM ${id}` : `Schedule an action on VM ${id}`} invalid={invalid} onConfirm={send}>
      <SchedFields v={v} set={set} stime={stime} />
    </DialogButton>
  );
}

export function SchedActionsTab({ vm }: { vm: Tree }) {
  const act = useAct('vm');
  const id = Number(vm.ID);
  const actions = asArray<Tree>(vm.TEMPLATE?.SCHED_ACTION);
  const done = Number(vm.STATE) === 6;
  return (
    <>
      <p className="actions">
        {!done && <SchedDialog vm={vm} />}
        {done && <span className="notice">The VM is gone: its scheduled actions no longer run.</span>}
      </p>
      {actions.length === 0 ? (
        <p className="panel">This VM has no scheduled actions.</p>
      ) : (
        <HeadedTable label="Scheduled actions" head={['ID', 'Action', 'Time', 'Repeat', 'Ends', 'Done', 'Message', 'Actions']}>
          {actions.map((sa) => {
            const t = String(sa.TIME ?? '');
            const at = t.startsWith('+') ? Number(vm.STIME ?? 0) + Number(t.slice(1)) : Number(t);
            return (
              <tr key={String(sa.ID)} data-sched={String(sa.ID)}>
                <td>{String(sa.ID)}</td>
                <td>{String(sa.ACTION ?? '')}</td>
                <td>{time(at)}</td>
                <td>{repeatText(sa)}</td>
                <td>{endText(sa, time)}</td>
                <td>{Number(sa.DONE ?? -1) > 0 ? time(sa.DONE) : 'not yet'}</td>
                <td>{String(sa.MESSAGE ?? '') || '-'}</td>
                <td className="actions">
                  {!done && <SchedDialog key={['ACTION', 'TIME', 'REPEAT', 'DAYS', 'END_TYPE', 'END_VALUE'].map((k) => String(sa[k] ?? '')).join('|')} vm={vm} sa={sa} />}
                  <ConfirmButton label={`Delete scheduled action ${sa.ID}`} danger question={`Delete the scheduled ${sa.ACTION} (action ${sa.ID}) of VM ${id}?`} onConfirm={() => act('one.vm.scheddelete', id, Number(sa.ID))} />
                </td>
              </tr>
            );
          })}
        </HeadedTable>
      )}
    </>
  );
}

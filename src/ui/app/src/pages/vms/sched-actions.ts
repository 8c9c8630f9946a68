/**
 * A VM's scheduled actions (SCHED_ACTION vectors) as the Sched actions tab edits them: the
 * form's values, their checks (the ones oned makes, so a bad value is named before anything is
 * sent) and the SCHED_ACTION template one.vm.schedadd / schedupdate take.
 *
 * TIME is epoch seconds, or "+N": N seconds after the VM's start (STIME). REPEAT -1 none,
 * 0 weekly (DAYS 0-6, 0 Sunday), 1 monthly (1-31), 2 yearly (0-365), 3 hourly (DAYS: every N
 * hours, 1-168). END_TYPE 0 never, 1 after END_VALUE runs, 2 until the date END_VALUE.
 */
import type { Tree } from '../../api';
import { vectorText } from '../templates/template-text';

/** The actions oned schedules: those one.vm.action serves. */
export const SCHED_ACTIONS = [
  'terminate', 'terminate-hard', 'undeploy', 'undeploy-hard', 'poweroff', 'poweroff-hard', 'reboot', 'reboot-hard',
  'hold', 'release', 'stop', 'suspend', 'resume', 'resched', 'unresched',
] as const;

export const REPEATS: { value: string; label: string; days: string; range: [number, number] }[] = [
  { value: '-1', label: 'Does not repeat', days: '', range: [0, 0] },
  { value: '0', label: 'Weekly', days: 'Weekdays, 0 (Sunday) to 6, e.g. 1,3,5', range: [0, 6] },
  { value: '1', label: 'Monthly', days: 'Days of the month, 1 to 31, e.g. 1,15', range: [1, 31] },
  { value: '2', label: 'Yearly', days: 'Days of the year, 0 to 365, e.g. 0,180', range: [0, 365] },
  { value: '3', label: 'Hourly', days: 'Every how many hours, 1 to 168', range: [1, 168] },
];

export interface SchedValues {
  action: string;
  /** An absolute local date and time, or seconds after the VM's start. */
  mode: 'date' | 'relative';
  date: string;
  relative: string;
  repeat: string;
  days: string;
  /** '0' never, '1' after a number of runs, '2' on a date. */
  endType: string;
  endCount: string;
  endDate: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch seconds as a datetime-local input's value (local time, to the second). */
export function localInput(secs: number): string {
  const d = new Date(secs * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value as epoch seconds (NaN when empty or unreadable). */
export function fromLocalInput(v: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return NaN;
  return Math.floor(new Date(v).getTime() / 1000);
}

/** A new action's values: power off in an hour, once. */
export function emptySched(now: number): SchedValues {
  return { action: 'poweroff', mode: 'date', date: localInput(now + 3600), relative: '', repeat: '-1', days: '', endType: '0', endCount: '', endDate: '' };
}

/** The form's values of an existing SCHED_ACTION (its TIME as oned stored it, absolute). */
export function schedValues(sa: Tree, stime: number): SchedValues {
  const t = String(sa.TIME ?? '');
  const at = t.startsWith('+') ? stime + Number(t.slice(1)) : Number(t);
  const repeat = String(sa.REPEAT ?? '-1');
  const endType = String(sa.END_TYPE ?? '-1');
  const endValue = Number(sa.END_VALUE ?? -1);
  return {
    action: String(sa.ACTION ?? ''),
    mode: 'date',
    date: Number.isFinite(at) && at > 0 ? localInput(at) : '',
    relative: '',
    repeat: repeat === '' ? '-1' : repeat,
    days: String(sa.DAYS ?? ''),
    endType: endType === '1' || endType === '2' ? endType : '0',
    endCount: endType === '1' ? String(endValue) : '',
    endDate: endType === '2' && endValue > 0 ? localInput(endValue) : '',
  };
}

/** When the action is due (epoch seconds), or NaN. */
export function dueAt(v: SchedValues, stime: number): number {
  if (v.mode === 'relative') return /^\d+$/.test(v.relative.trim()) ? stime + Number(v.relative.trim()) : NaN;
  return fromLocalInput(v.date);
}

/** What is wrong with the values (the first thing), or undefined. `now` and `stime` in epoch seconds. */
export function schedError(v: SchedValues, now: number, stime: number): string | undefined {
  if (!(SCHED_ACTIONS as readonly string[]).includes(v.action)) return 'Choose the action to schedule';
  if (v.mode === 'relative' && !/^\d+$/.test(v.relative.trim())) return "Seconds after the VM's start must be a whole number";
  const due = dueAt(v, stime);
  if (!Number.isFinite(due)) return 'Enter the date and time the action runs at';
  const repeat = Number(v.repeat);
  if (repeat < 0 && due < now) return `The time ${new Date(due * 1000).toLocaleString()} is in the past: choose a later one (oned refuses a one-off action in the past)`;
  if (repeat >= 0) {
    const def = REPEATS.find((r) => r.value === v.repeat)!;
    const [lo, hi] = def.range;
    const parts = v.days.split(',').map((d) => d.trim());
    if (v.days.trim() === '' || parts.some((d) => !/^\d+$/.test(d) || Number(d) < lo || Number(d) > hi)) return `${def.label} repeat: ${def.days.split(',')[0]}`;
    if (repeat === 3 && parts.length > 1) return 'Hourly repeat: one number of hours';
    if (v.endType === '1' && !/^[1-9]\d*$/.test(v.endCount.trim())) return 'The number of runs must be a whole number of at least 1';
    if (v.endType === '2') {
      const end = fromLocalInput(v.endDate);
      if (!Number.isFinite(end)) return 'Enter the date the repetitions end';
      if (end <= due) return 'The end date must be after the first run';
    }
  }
  return undefined;
}

/** The SCHED_ACTION template of checked values: REPEAT and END_* always, so schedupdate's merge clears a repeat (oned empties DAYS then). */
export function schedTemplate(v: SchedValues, stime: number): string {
  const repeat = Number(v.repeat);
  const endType = repeat < 0 ? -1 : Number(v.endType);
  const endValue = endType === 1 ? Number(v.endCount.trim()) : endType === 2 ? fromLocalInput(v.endDate) : -1;
  return vectorText('SCHED_ACTION', {
    ACTION: v.action,
    TIME: v.mode === 'relative' ? `+${v.relative.trim()}` : String(dueAt(v, stime)),
    REPEAT: String(repeat),
    DAYS: repeat < 0 ? undefined : v.days.replace(/\s+/g, ''),
    END_TYPE: String(endType),
    END_VALUE: String(endValue),
  });
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "Weekly on Mon, Wed", "Every 6 hours", "-". */
export function repeatText(sa: Tree): string {
  const days = String(sa.DAYS ?? '');
  switch (String(sa.REPEAT ?? '-1')) {
    case '0':
      return `Weekly on ${days.split(',').map((d) => WEEKDAYS[Number(d)] ?? d).join(', ')}`;
    case '1':
      return `Monthly on day ${days.split(',').join(', ')}`;
    case '2':
      return `Yearly on day ${days.split(',').join(', ')}`;
    case '3':
      return `Every ${days} hour${days === '1' ? '' : 's'}`;
    default:
      return '-';
  }
}

/** How repetitions end: "never", "after 3 more runs", a date; "-" for a one-off action. */
export function endText(sa: Tree, time: (s: number) => string): string {
  if (String(sa.REPEAT ?? '-1') === '-1') return '-';
  const v = Number(sa.END_VALUE ?? -1);
  switch (String(sa.END_TYPE ?? '-1')) {
    case '1':
      return `after ${v} more run${v === 1 ? '' : 's'}`;
    case '2':
      return `on ${time(v)}`;
    default:
      return 'never';
  }
}

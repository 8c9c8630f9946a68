/** What the storage and network pages share: template text, sizes, state badges, a dialog with a small form. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { DialogFooter, useDialogAction } from '../../components/Confirm';
import { Field } from '../../components/Field';
import { IMAGE_STATES } from '../../states';

/** One `KEY = "value"` line per attribute, quotes and backslashes escaped; empty values left out. */
export function templateText(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined && String(v).trim() !== '')
    .map(([k, v]) => `${k} = "${quote(String(v).trim())}"`)
    .join('\n');
}

export function quote(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A vector attribute (`AR = [ TYPE = "IP4", ... ]`). */
export function vectorText(name: string, attrs: Record<string, string | number | undefined>): string {
  const parts = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && String(v).trim() !== '')
    .map(([k, v]) => `${k} = "${quote(String(v).trim())}"`);
  return `${name} = [ ${parts.join(', ')} ]`;
}

/** Megabytes as people read them (oned counts images and datastores in MB). */
export function formatMb(mb: number | string): string {
  const n = Number(mb);
  if (!Number.isFinite(n)) return '-';
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} TB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} GB`;
  return `${n} MB`;
}

const IMAGE_TONES: Record<string, 'ok' | 'busy' | 'bad' | 'off'> = {
  READY: 'ok', USED: 'ok', USED_PERS: 'ok', LOCKED: 'busy', CLONE: 'busy', INIT: 'busy', DELETE: 'busy', LOCKED_USED: 'busy', LOCKED_USED_PERS: 'busy', ERROR: 'bad', DISABLED: 'off',
};

export function ImageState({ state }: { state: number }) {
  const name = IMAGE_STATES[state] ?? `STATE_${state}`;
  return <span className={`state ${IMAGE_TONES[name] ?? 'off'}`}>{name}</span>;
}

/** Enabled / disabled badge of datastores and networks (STATE 0 is enabled for both). */
export function OnOff({ on, onText = 'ON', offText = 'DISABLED' }: { on: boolean; onText?: string; offText?: string }) {
  return <span className={`state ${on ? 'ok' : 'off'}`}>{on ? onText : offText}</span>;
}

/** A capacity bar: used of total, with the numbers in words (the bar alone says nothing to a screen reader). */
export function Capacity({ total, used, free }: { total: number; used: number; free: number }) {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  const words = `${formatMb(used)} used of ${formatMb(total)}, ${formatMb(free)} free`;
  return (
    <span className="capacity">
      <meter min={0} max={Math.max(total, 1)} value={used} aria-label={words} />
      <span className="capacity-text">
        {pct}% · {formatMb(free)} free
      </span>
    </span>
  );
}

export interface PromptField {
  name: string;
  label: string;
  initial?: string;
  type?: 'text' | 'number' | 'select';
  options?: { value: string; label: string }[];
  /** The message when the value is wrong, or '' when it is fine. */
  check?: (v: string, all: Record<string, string>) => string;
}

/**
 * A button opening a dialog with a few fields (clone's name and datastore, rename, reserve N
 * addresses...). Each field is checked before anything is sent; oned's refusal shows in the
 * dialog, which stays open with what was typed.
 */
export function PromptButton({ label, title, fields, submitLabel, onSubmit }: { label: string; title: ReactNode; fields: PromptField[]; submitLabel?: string; onSubmit: (values: Record<string, string>) => Promise<unknown> }) {
  const { dialog, busy, error, setError, run } = useDialogAction();
  const init = () => Object.fromEntries(fields.map((f) => [f.name, f.initial ?? f.options?.[0]?.value ?? '']));
  const [values, setValues] = useState<Record<string, string>>(init);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const open = () => {
    setValues(init());
    setErrors({});
    setError('');
    dialog.current?.showModal();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    for (const f of fields) {
      const msg = f.check?.(values[f.name] ?? '', values) ?? '';
      if (msg) errs[f.name] = msg;
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    await run(() => onSubmit(values));
  };
  return (
    <>
      <button type="button" onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={label} className="modal">
        <form className="prompt" onSubmit={submit} noValidate>
          <h2>{title}</h2>
          {fields.map((f) => (
            <Field key={f.name} label={f.label} error={errors[f.name]}>
              {f.type === 'select' ? (
                <select value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
                  {f.options?.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input type={f.type ?? 'text'} value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
              )}
            </Field>
          ))}
          <DialogFooter dialog={dialog} error={error} busy={busy} confirmText={submitLabel ?? label} />
        </form>
      </dialog>
    </>
  );
}

export const required = (what: string) => (v: string) => (v.trim() === '' ? `Enter ${what}` : '');
export const positiveInt = (what: string) => (v: string) => (!/^\d+$/.test(v.trim()) || Number(v) < 1 ? `${what} must be a whole number of at least 1` : '');

/** A template as oned's JSON tree shows it, back as template text (what the Template tabs show). */
export function treeToTemplate(tree: unknown): string {
  if (!tree || typeof tree !== 'object') return '';
  const lines: string[] = [];
  for (const [k, v] of Object.entries(tree as Record<string, unknown>)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one && typeof one === 'object') {
        const inner = Object.entries(one as Record<string, unknown>).map(([ik, iv]) => `  ${ik} = "${quote(typeof iv === 'string' ? iv : JSON.stringify(iv))}"`);
        lines.push(`${k} = [\n${inner.join(',\n')} ]`);
      } else lines.push(`${k} = "${quote(String(one ?? ''))}"`);
    }
  }
  return lines.join('\n');
}

/** A UNIX time as a local date and time ('-' for 0). */
export function when(t: unknown): string {
  const n = Number(t);
  return n > 0 ? new Date(n * 1000).toLocaleString() : '-';
}

/** Rename of a network, datastore or image: the new name asked in a dialog, not empty. */
export function RenamePrompt({ what, current, onRename }: { what: string; current: string; onRename: (name: string) => Promise<unknown> }) {
  return <PromptButton label="Rename" title={`Rename ${what}`} fields={[{ name: 'name', label: 'New name', initial: current, check: required('a name') }]} onSubmit={(v) => onRename(v.name!.trim())} />;
}

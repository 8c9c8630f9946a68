/**
 * A labelled form field with its hint and error under it (both linked by aria-describedby),
 * shared by the create forms and dialogs: the one control inside gets the id the label points at.
 */
import { useId, type ReactElement, cloneElement } from 'react';

export function Field({ label, error, children, hint }: { label: string; error?: string; hint?: string; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  const control = cloneElement(children, {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': [error ? `${id}-err` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined,
  });
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <span id={`${id}-err`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** Names oned accepts for hosts, users, groups, clusters: not empty, no spaces at the ends, no control characters. */
export function nameError(v: string, what: string): string | undefined {
  if (!v.trim()) return `Enter the ${what}'s name`;
  if (v !== v.trim()) return 'No spaces at the start or end';
  if (/[\u0000-\u001f]/.test(v)) return 'No control characters';
  if (v.length > 128) return 'At most 128 characters';
  return undefined;
}

/** Template text as it is typed: checked for emptiness here, parsed by oned (a syntax error comes back in oned's words). */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';

export function RawTemplate({ initial = '', submitLabel, onSubmit, label = 'Template text' }: { initial?: string; submitLabel: string; onSubmit: (text: string) => Promise<unknown>; label?: string }) {
  const [error, setError] = useState<unknown>(null);
  const { register, handleSubmit, formState } = useForm<{ text: string }>({ defaultValues: { text: initial } });
  const submit = handleSubmit(async ({ text }) => {
    setError(null);
    try {
      await onSubmit(text);
    } catch (err) {
      setError(err);
    }
  });
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={label}>
      <Field label={label} error={formState.errors.text?.message}>
        <textarea
          className="raw-template"
          spellCheck={false}
          {...register('text', { validate: (v) => v.trim() !== '' || 'Enter the template: attributes like CPU = "1", one a line' })}
        />
      </Field>
      <ErrorNote error={error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? 'Working…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

/**
 * VMs from a template (one.template.instantiate): a name, how many, on hold or not, and
 * capacity that overrides the template's. Lands on the new VM (the first, when several).
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useInfo } from '../../hooks';
import { mb } from '../vms/format';
import { Field } from '../../components/Field';
import { MemoryUnit, memoryMb, nameRules, positive, positiveInt } from './fields';

interface Values {
  name: string;
  count: string;
  hold: boolean;
  cpu: string;
  vcpu: string;
  memory: string;
  memoryUnit: 'MB' | 'GB';
}

const MAX_INSTANCES = 100;

export function Instantiate() {
  const raw = useParams().id;
  const id = Number(raw);
  const { data: t, error: loadError } = useInfo('template', 'template', id, 'VMTEMPLATE');
  const act = useAct('vm', 'template');
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [made, setMade] = useState<number[]>([]);
  const { register, handleSubmit, formState } = useForm<Values>({ defaultValues: { name: '', count: '1', hold: false, cpu: '', vcpu: '', memory: '', memoryUnit: 'MB' } });
  const e = formState.errors;
  if (loadError) return <ErrorNote error={loadError} />;
  if (!t) return <p>Loading…</p>;
  const submit = handleSubmit(async (v) => {
    setError(null);
    const extra: string[] = [];
    if (v.cpu.trim()) extra.push(`CPU = "${Number(v.cpu)}"`);
    if (v.vcpu.trim()) extra.push(`VCPU = "${Number(v.vcpu)}"`);
    if (v.memory.trim()) extra.push(`MEMORY = "${memoryMb(v.memory, v.memoryUnit)}"`);
    const count = Number(v.count);
    const ids: number[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const name = v.name.trim() === '' ? '' : count > 1 ? `${v.name.trim()}-${i}` : v.name.trim();
        ids.push(await act<number>('one.template.instantiate', id, name, v.hold, extra.join('\n'), false));
      }
    } catch (err) {
      setMade(ids);
      setError(err);
      return;
    }
    navigate(`/vms/${ids[0]}`);
  });
  return (
    <section>
      <div className="page-head">
        <h1>
          Instantiate template {t.ID}: {t.NAME}
        </h1>
      </div>
      <p>
        The template gives CPU {t.TEMPLATE?.CPU ?? '-'}, {t.TEMPLATE?.VCPU ?? 1} virtual CPUs and {mb(t.TEMPLATE?.MEMORY)} of memory; leave the capacity fields
        empty to keep them.
      </p>
      <form className="form" onSubmit={submit} noValidate aria-label="Instantiate">
        <Field label="VM name (optional: oned names it after the template)" error={e.name?.message}>
          <input {...register('name', nameRules('VM name', false))} />
        </Field>
        <div className="row">
          <Field label="Number of instances" error={e.count?.message}>
            <input
              inputMode="numeric"
              {...register('count', {
                required: 'Enter how many VMs',
                validate: (v) => {
                  const r = positiveInt('The number of instances')(v);
                  return r !== true ? r : Number(v) <= MAX_INSTANCES || `At most ${MAX_INSTANCES} at once`;
                },
              })}
             
            />
          </Field>
          <label className="check">
            <input type="checkbox" {...register('hold')} /> Start on hold (the scheduler leaves it until released)
          </label>
        </div>
        <fieldset>
          <legend>Capacity (overrides the template)</legend>
          <div className="row">
            <Field label="CPU" error={e.cpu?.message}>
              <input inputMode="decimal" {...register('cpu', { validate: positive('CPU') })} />
            </Field>
            <Field label="Virtual CPUs" error={e.vcpu?.message}>
              <input inputMode="numeric" {...register('vcpu', { validate: positiveInt('Virtual CPUs') })} />
            </Field>
          </div>
          <div className="row">
            <Field label="Memory" error={e.memory?.message}>
              <input inputMode="numeric" {...register('memory', { validate: positive('Memory') })} />
            </Field>
            <MemoryUnit field={register('memoryUnit')} />
          </div>
        </fieldset>
        <ErrorNote error={error} />
        {made.length > 0 && (
          <p>
            Created before the refusal:{' '}
            {made.map((m) => (
              <Link key={m} to={`/vms/${m}`}>
                VM {m}{' '}
              </Link>
            ))}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? 'Creating…' : 'Instantiate'}
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * Instantiating a template: a name and the capacity, each checked before submit against what
 * the template allows and what the user's quota leaves (shown beside the field). oned checks
 * again; its refusal (a quota race, a group quota) shows above the button.
 */
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useInfo, useSubmit } from '../../hooks';
import { boundsOf, capacityError, fmt } from './capacity';
import { useMyUser } from './me';
import { remaining, usageText, vmQuota } from './quota';
import './cloud.css';

export function LaunchForm() {
  const id = Number(useParams().id);
  const { data: tpl, error: tplError } = useInfo('template', 'template', id, 'VMTEMPLATE');
  const { data: user, error: userError } = useMyUser();
  if (tplError || userError) return <ErrorNote error={tplError ?? userError} />;
  if (!tpl || !user) return <p>Loading…</p>;
  return <Form tpl={tpl} user={user} />;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function Form({ tpl, user }: { tpl: any; user: any }) {
  const navigate = useNavigate();
  const act = useAct('vm', 'user');
  const t = tpl.TEMPLATE ?? {};
  const quota = vmQuota(user);
  const [name, setName] = useState('');
  const [cpu, setCpu] = useState(String(t.CPU ?? '1'));
  const [memory, setMemory] = useState(String(t.MEMORY ?? '128'));
  const [submitted, setSubmitted] = useState(false);
  const { busy, error, setError, run } = useSubmit();

  const cpuBounds = boundsOf(t.USER_INPUTS?.CPU, false);
  const memBounds = boundsOf(t.USER_INPUTS?.MEMORY, true);
  const cpuLeft = remaining(quota.CPU);
  const memLeft = remaining(quota.MEMORY);
  const vmsLeft = remaining(quota.VMS);
  const errors = {
    name: /["\n]/.test(name) ? 'A name has no quotes or line breaks' : '',
    cpu: capacityError(cpu, 'CPU', '', cpuBounds, cpuLeft),
    memory: capacityError(memory, 'memory', 'MB', memBounds, memLeft),
    vms: vmsLeft < 1 ? `You have used all ${fmt(quota.VMS.limit ?? 0)} VMs of your quota: terminate one first` : '',
  };
  const invalid = Object.values(errors).some(Boolean);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setError(null);
    if (invalid) return;
    await run(async () => {
      const extra = `CPU = "${Number(cpu)}"\nMEMORY = "${Number(memory)}"`;
      const vmId = await act<number>('one.template.instantiate', Number(tpl.ID), name.trim(), false, extra, false);
      navigate(`/cloud/vms/${vmId}`);
    });
  };
  // A field says what is wrong as soon as it is, an untouched name only after submit.
  const field = (key: 'cpu' | 'memory', value: string, initial: string) => (submitted || value !== initial) && errors[key];
  const cpuError = field('cpu', cpu, String(t.CPU ?? '1'));
  const memError = field('memory', memory, String(t.MEMORY ?? '128'));

  return (
    <section>
      <div className="page-head">
        <h1>Launch {tpl.NAME}</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate aria-label={`Launch ${tpl.NAME}`}>
        <p className="hint">
          Your VMs: {usageText(quota.VMS)}
        </p>
        {submitted && errors.vms && (
          <p role="alert" className="field-error">
            {errors.vms}
          </p>
        )}
        <label>
          VM name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="left empty, oned names it" aria-invalid={!!errors.name} aria-describedby="name-error" />
          <span id="name-error" className="field-error">
            {errors.name}
          </span>
        </label>
        <div className="row">
          <label>
            CPU
            <input inputMode="decimal" value={cpu} onChange={(e) => setCpu(e.target.value)} aria-invalid={!!cpuError} aria-describedby="cpu-quota cpu-error" />
            <span id="cpu-quota" className="hint">
              Quota left: {fmt(cpuLeft)} CPU{cpuBounds.max < Infinity ? ` · template allows ${cpuBounds.min} to ${cpuBounds.max}` : ''}
            </span>
            <span id="cpu-error" className="field-error">
              {cpuError}
            </span>
          </label>
          <label>
            Memory (MB)
            <input inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value)} aria-invalid={!!memError} aria-describedby="memory-quota memory-error" />
            <span id="memory-quota" className="hint">
              Quota left: {fmt(memLeft)} MB{memBounds.max < Infinity ? ` · template allows ${memBounds.min} to ${memBounds.max} MB` : ''}
            </span>
            <span id="memory-error" className="field-error">
              {memError}
            </span>
          </label>
        </div>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="button" onClick={() => navigate('/launch')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Launching…' : 'Launch VM'}
          </button>
        </div>
      </form>
    </section>
  );
}

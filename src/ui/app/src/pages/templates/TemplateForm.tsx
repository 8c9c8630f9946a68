/**
 * A VM template from a form: name, capacity, disks from images, NICs from networks, context
 * (SSH key, network configuration), a VNC console and scheduled actions (so many seconds after
 * each VM's start). Every field is checked before anything is sent; oned checks again and its
 * refusal shows above the buttons.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useFieldArray, useForm } from 'react-hook-form';
import { pool } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SCHED_ACTIONS } from '../vms/sched-actions';
import { MemoryUnit, memoryMb, nameRules, positive, positiveInt, sshKeys } from './fields';
import { quote, vectorText } from './template-text';

export interface TemplateFormValues {
  name: string;
  description: string;
  cpu: string;
  vcpu: string;
  memory: string;
  memoryUnit: 'MB' | 'GB';
  disks: { image: string }[];
  nics: { network: string }[];
  context: boolean;
  networkContext: boolean;
  sshKey: string;
  vnc: boolean;
  /** Scheduled actions of the VMs made from it, each so many seconds after the VM starts. */
  sched: { action: string; after: string }[];
}

/** The form's values as template text for one.template.allocate. */
export function formTemplate(v: TemplateFormValues): string {
  const lines = [`NAME = ${quote(v.name.trim())}`];
  if (v.description.trim()) lines.push(`DESCRIPTION = ${quote(v.description.trim())}`);
  lines.push(`CPU = ${quote(String(Number(v.cpu)))}`);
  if (v.vcpu.trim()) lines.push(`VCPU = ${quote(String(Number(v.vcpu)))}`);
  lines.push(`MEMORY = ${quote(String(memoryMb(v.memory, v.memoryUnit)))}`);
  for (const d of v.disks) lines.push(vectorText('DISK', { IMAGE_ID: d.image }));
  for (const n of v.nics) lines.push(vectorText('NIC', { NETWORK_ID: n.network }));
  if (v.context) lines.push(vectorText('CONTEXT', { NETWORK: v.networkContext ? 'YES' : undefined, SSH_PUBLIC_KEY: v.sshKey.trim() || undefined }));
  if (v.vnc) lines.push(vectorText('GRAPHICS', { TYPE: 'VNC', LISTEN: '0.0.0.0' }));
  for (const a of v.sched) lines.push(vectorText('SCHED_ACTION', { ACTION: a.action, TIME: `+${a.after.trim()}` }));
  return lines.join('\n');
}

export function TemplateForm({ onSubmit }: { onSubmit: (text: string) => Promise<unknown> }) {
  const images = useQuery({ queryKey: ['image', 'pool', 'choices'], queryFn: () => pool('image', { limit: 1000, sort: 'NAME' }) });
  const vnets = useQuery({ queryKey: ['vnet', 'pool', 'choices'], queryFn: () => pool('vnet', { limit: 1000, sort: 'NAME' }) });
  const [error, setError] = useState<unknown>(null);
  // Checked on submit, then on every change: errors appearing on blur would move the button being clicked.
  const form = useForm<TemplateFormValues>({
    defaultValues: { name: '', description: '', cpu: '1', vcpu: '1', memory: '512', memoryUnit: 'MB', disks: [], nics: [], context: true, networkContext: true, sshKey: '', vnc: true, sched: [] },
  });
  const { register, handleSubmit, control, watch, formState } = form;
  const e = formState.errors;
  const disks = useFieldArray({ control, name: 'disks' });
  const nics = useFieldArray({ control, name: 'nics' });
  const sched = useFieldArray({ control, name: 'sched' });
  const submit = handleSubmit(async (v) => {
    setError(null);
    try {
      await onSubmit(formTemplate(v));
    } catch (err) {
      setError(err);
    }
  });
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="New VM template">
      <Field label="Name" error={e.name?.message}>
        <input {...register('name', nameRules('Name'))} />
      </Field>
      <label>
        Description (optional)
        <input {...register('description')} id="t-desc" />
      </label>
      <fieldset>
        <legend>Capacity</legend>
        <div className="row">
          <Field label="CPU (share of physical CPUs)" error={e.cpu?.message}>
            <input inputMode="decimal" {...register('cpu', { required: 'Enter the CPU share', validate: positive('CPU') })} />
          </Field>
          <Field label="Virtual CPUs" error={e.vcpu?.message}>
            <input inputMode="numeric" {...register('vcpu', { validate: positiveInt('Virtual CPUs') })} />
          </Field>
        </div>
        <div className="row">
          <Field label="Memory" error={e.memory?.message}>
            <input inputMode="numeric" {...register('memory', { required: 'Enter the memory', validate: positive('Memory') })} />
          </Field>
          <MemoryUnit field={register('memoryUnit')} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Disks</legend>
        {disks.fields.map((f, i) => (
          <div className="row" key={f.id}>
            <Field label={`Image of disk ${i + 1}`} error={e.disks?.[i]?.image?.message}>
              <select {...register(`disks.${i}.image`, { required: `Choose an image for disk ${i + 1}` })}>
                <option value="">Choose an image</option>
                {(images.data?.rows ?? []).map((im) => (
                  <option key={String(im.ID)} value={String(im.ID)}>
                    {String(im.NAME)} (ID {String(im.ID)})
                  </option>
                ))}
              </select>
            </Field>
            <button type="button" onClick={() => disks.remove(i)} style={{ flex: '0 0 auto', alignSelf: 'end' }}>
              Remove disk {i + 1}
            </button>
          </div>
        ))}
        {images.data && images.data.total === 0 && <p>No images yet: register one under Storage first.</p>}
        <button type="button" onClick={() => disks.append({ image: '' })}>
          Add a disk
        </button>
      </fieldset>
      <fieldset>
        <legend>Network interfaces</legend>
        {nics.fields.map((f, i) => (
          <div className="row" key={f.id}>
            <Field label={`Network of interface ${i + 1}`} error={e.nics?.[i]?.network?.message}>
              <select {...register(`nics.${i}.network`, { required: `Choose a network for interface ${i + 1}` })}>
                <option value="">Choose a network</option>
                {(vnets.data?.rows ?? []).map((n) => (
                  <option key={String(n.ID)} value={String(n.ID)}>
                    {String(n.NAME)} (ID {String(n.ID)})
                  </option>
                ))}
              </select>
            </Field>
            <button type="button" onClick={() => nics.remove(i)} style={{ flex: '0 0 auto', alignSelf: 'end' }}>
              Remove interface {i + 1}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => nics.append({ network: '' })}>
          Add a network interface
        </button>
      </fieldset>
      <fieldset>
        <legend>Context and console</legend>
        <label className="check">
          <input type="checkbox" {...register('context')} /> Contextualize the guest (CONTEXT)
        </label>
        {watch('context') && (
          <>
            <label className="check">
              <input type="checkbox" {...register('networkContext')} /> Configure the guest&apos;s network
            </label>
            <Field label="SSH public key (optional)" error={e.sshKey?.message}>
              <textarea rows={2} {...register('sshKey', { validate: sshKeys })} />
            </Field>
          </>
        )}
        <label className="check">
          <input type="checkbox" {...register('vnc')} /> VNC console (GRAPHICS)
        </label>
      </fieldset>
      <fieldset>
        <legend>Scheduled actions</legend>
        {sched.fields.map((f, i) => (
          <div className="row" key={f.id}>
            <Field label={`Action ${i + 1}`} error={e.sched?.[i]?.action?.message}>
              <select {...register(`sched.${i}.action`, { validate: (a) => (SCHED_ACTIONS as readonly string[]).includes(a) || `Choose scheduled action ${i + 1}` })}>
                {SCHED_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={`Seconds after the VM starts (action ${i + 1})`} error={e.sched?.[i]?.after?.message}>
              <input inputMode="numeric" {...register(`sched.${i}.after`, { validate: (x) => /^\d+$/.test(x.trim()) || `Action ${i + 1}: seconds after the start must be a whole number` })} />
            </Field>
            <button type="button" onClick={() => sched.remove(i)} style={{ flex: '0 0 auto', alignSelf: 'end' }}>
              Remove action {i + 1}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => sched.append({ action: 'poweroff', after: '3600' })}>
          Add a scheduled action
        </button>
      </fieldset>
      <ErrorNote error={error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? 'Creating…' : 'Create template'}
        </button>
      </div>
    </form>
  );
}

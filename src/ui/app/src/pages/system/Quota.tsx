/**
 * Quotas of a user or group: usage against limit for VMs (VMS, CPU, MEMORY, SYSTEM_DISK_SIZE),
 * and per datastore, network and image; and a form that sets limits (one.user.quota /
 * one.group.quota with a quota template). As OpenNebula: -1 is "the default quota", -2 unlimited;
 * a field left empty keeps its limit.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { asArray, type Tree } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct } from '../../hooks';
import { mb, UsageBar } from '../dashboard/UsageBar';
import { Field } from '../../components/Field';
import '../dashboard/infra.css';

type Q = Record<string, string>;

/** The limit in force: -1 takes the default's value, and no limit (or -2) is unlimited (shown as 0 total). */
function effective(limit: string | undefined, fallback: string | undefined): { total: number; note?: string } {
  const l = Number(limit ?? -1);
  if (l === -2) return { total: -2, note: 'unlimited' };
  if (l === -1) {
    const d = Number(fallback ?? -2);
    return d >= 0 ? { total: d, note: undefined } : { total: -2, note: 'unlimited (default)' };
  }
  return { total: l };
}

const VM_FIELDS: { key: string; label: string; format?: (n: number) => string }[] = [
  { key: 'VMS', label: 'VMs' },
  { key: 'CPU', label: 'CPU' },
  { key: 'MEMORY', label: 'Memory', format: mb },
  { key: 'SYSTEM_DISK_SIZE', label: 'System disk', format: mb },
];

export function Quotas({ kind, id, obj }: { kind: 'user' | 'group'; id: number; obj: Tree }) {
  const defaults: Tree = obj[kind === 'user' ? 'DEFAULT_USER_QUOTAS' : 'DEFAULT_GROUP_QUOTAS'] ?? {};
  const vm: Q = obj.VM_QUOTA?.VM ?? {};
  const dvm: Q = defaults.VM_QUOTA?.VM ?? {};
  const ds = asArray<Q>(obj.DATASTORE_QUOTA?.DATASTORE);
  const net = asArray<Q>(obj.NETWORK_QUOTA?.NETWORK);
  const img = asArray<Q>(obj.IMAGE_QUOTA?.IMAGE);
  const bar = (q: Q, d: Q | undefined, key: string, label: string, format?: (n: number) => string) => {
    const e = effective(q[key], d?.[key]);
    return <UsageBar key={key} label={label} used={Number(q[`${key}_USED`] ?? 0)} total={e.total} note={e.note} format={format} />;
  };
  const byId = (list: Q[], id: string) => list.find((x) => x.ID === id);
  return (
    <div>
      <div className="dash-grid">
        <section className="panel" aria-labelledby="q-vm">
          <h2 id="q-vm">VM quota</h2>
          <div data-testid="vm-quota">{VM_FIELDS.map((f) => bar(vm, dvm, f.key, f.label, f.format))}</div>
        </section>
        <QuotaSection id="q-ds" title="Datastore quotas" none="No datastore quota" each="Datastore" quotas={ds}>
          {(q) => (
            <>
              {bar(q, byId(asArray<Q>(defaults.DATASTORE_QUOTA?.DATASTORE), q.ID!), 'IMAGES', 'Images')}
              {bar(q, byId(asArray<Q>(defaults.DATASTORE_QUOTA?.DATASTORE), q.ID!), 'SIZE', 'Size', mb)}
            </>
          )}
        </QuotaSection>
        <QuotaSection id="q-net" title="Network quotas" none="No network quota" each="Network" quotas={net}>
          {(q) => bar(q, undefined, 'LEASES', 'Leases')}
        </QuotaSection>
        <QuotaSection id="q-img" title="Image quotas" none="No image quota" each="Image" quotas={img}>
          {(q) => bar(q, undefined, 'RVMS', 'Running VMs')}
        </QuotaSection>
      </div>
      <QuotaForm kind={kind} id={id} />
    </div>
  );
}

/** The quotas set per datastore, network or image: one heading and its bars each. */
function QuotaSection({ id, title, none, each, quotas, children }: { id: string; title: string; none: string; each: string; quotas: Q[]; children: (q: Q) => ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {quotas.length === 0 && <p>{none}</p>}
      {quotas.map((q) => (
        <div key={q.ID}>
          <h3>
            {each} {q.ID}
          </h3>
          {children(q)}
        </div>
      ))}
    </section>
  );
}

/** Limits: a whole number (a decimal for CPU) of at least -2; empty keeps the current one. */
function limitError(v: string, decimal: boolean): string | undefined {
  if (v.trim() === '') return undefined;
  const ok = decimal ? /^-?\d+(\.\d+)?$/.test(v.trim()) : /^-?\d+$/.test(v.trim());
  if (!ok || Number(v) < -2) return `Enter ${decimal ? 'a number' : 'a whole number'}: -1 for the default, -2 for unlimited`;
  return undefined;
}
const idError = (v: string) => (v.trim() === '' || /^\d+$/.test(v.trim()) ? undefined : 'Enter the ID (a whole number)');

const FORM_FIELDS = [
  { group: 'VM', key: 'VMS', label: 'VMs' },
  { group: 'VM', key: 'CPU', label: 'CPU', decimal: true },
  { group: 'VM', key: 'MEMORY', label: 'Memory (MB)' },
  { group: 'VM', key: 'SYSTEM_DISK_SIZE', label: 'System disk (MB)' },
  { group: 'DATASTORE', key: 'IMAGES', label: 'Images' },
  { group: 'DATASTORE', key: 'SIZE', label: 'Size (MB)' },
  { group: 'NETWORK', key: 'LEASES', label: 'Leases' },
  { group: 'IMAGE', key: 'RVMS', label: 'Running VMs' },
] as const;

function QuotaForm({ kind, id }: { kind: 'user' | 'group'; id: number }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const act = useAct(kind);
  const v = (k: string) => values[k] ?? '';
  const set = (k: string, x: string) => setValues((o) => ({ ...o, [k]: x }));
  const errors: Record<string, string | undefined> = {};
  for (const f of FORM_FIELDS) errors[`${f.group}.${f.key}`] = limitError(v(`${f.group}.${f.key}`), 'decimal' in f);
  for (const g of ['DATASTORE', 'NETWORK', 'IMAGE']) {
    errors[`${g}.ID`] = idError(v(`${g}.ID`));
    const any = FORM_FIELDS.some((f) => f.group === g && v(`${g}.${f.key}`).trim() !== '');
    if (any && !v(`${g}.ID`).trim()) errors[`${g}.ID`] = 'Which one? Enter its ID';
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShown(true);
    setDone('');
    if (Object.values(errors).some(Boolean)) return;
    const parts: string[] = [];
    for (const g of ['VM', 'DATASTORE', 'NETWORK', 'IMAGE']) {
      const attrs = FORM_FIELDS.filter((f) => f.group === g && v(`${g}.${f.key}`).trim() !== '').map((f) => `${f.key} = "${v(`${g}.${f.key}`).trim()}"`);
      if (attrs.length === 0) continue;
      if (g !== 'VM') attrs.unshift(`ID = "${v(`${g}.ID`).trim()}"`);
      parts.push(`${g} = [ ${attrs.join(', ')} ]`);
    }
    if (parts.length === 0) {
      setError(new Error('Enter at least one limit'));
      return;
    }
    setError(undefined);
    try {
      await act(`one.${kind}.quota`, id, parts.join('\n'));
      setValues({});
      setShown(false);
      setDone('Quota saved');
    } catch (err) {
      setError(err);
    }
  };
  const field = (group: string, key: string, label: string) => (
    <Field key={`${group}.${key}`} label={label} error={shown ? errors[`${group}.${key}`] : undefined}>
      <input inputMode="numeric" value={v(`${group}.${key}`)} onChange={(e) => set(`${group}.${key}`, e.target.value)} onBlur={() => setShown(true)} />
    </Field>
  );
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Set quota limits">
      <h2>Set limits</h2>
      <p className="chart-note">Empty keeps a limit as it is; -1 uses the default quota, -2 is unlimited.</p>
      {(['VM', 'DATASTORE', 'NETWORK', 'IMAGE'] as const).map((g) => (
        <fieldset key={g} className="row">
          <legend>{g === 'VM' ? 'VMs' : `${g[0]}${g.slice(1).toLowerCase()}`}</legend>
          {g !== 'VM' && field(g, 'ID', `${g[0]}${g.slice(1).toLowerCase()} ID`)}
          {FORM_FIELDS.filter((f) => f.group === g).map((f) => field(g, f.key, `${f.label} limit`))}
        </fieldset>
      ))}
      <ErrorNote error={error} />
      {done && <p role="status">{done}</p>}
      <div className="buttons">
        <button type="submit" className="primary">
          Save quota
        </button>
      </div>
    </form>
  );
}

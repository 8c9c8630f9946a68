/**
 * The template of a hybrid host (docs/hybrid.md), asked for when the virtualization driver is
 * `ec2` (an EC2 region and account) or `one` (another OpenNebula): credentials, endpoint,
 * capacity, defaults for VMs. oned stores the secrets encrypted (HOST_ENCRYPTED_ATTR).
 */
import { Field } from '../../components/Field';

export type HybridValues = Record<string, string>;

/** Drivers with a hybrid host template. */
export const HYBRID_DRIVERS = ['ec2', 'one'];

interface Spec {
  readonly key: string;
  readonly label: string;
  readonly hint?: string;
  readonly secret?: boolean;
  readonly required?: boolean;
}

const FIELDS: Readonly<Record<string, readonly Spec[]>> = {
  ec2: [
    { key: 'EC2_ACCESS', label: 'Access key ID', required: true },
    { key: 'EC2_SECRET', label: 'Secret access key', secret: true, required: true },
    { key: 'REGION_NAME', label: 'Region', hint: 'Default us-east-1' },
    { key: 'EC2_ENDPOINT', label: 'Endpoint', hint: "Only for an endpoint other than AWS's own, e.g. http://host:4567/" },
    { key: 'CAPACITY', label: 'Capacity', hint: 'Instances of each type: M1_SMALL=4, T2_MICRO=10', required: true },
    { key: 'AMI', label: 'Default AMI', hint: 'For VMs that give no PUBLIC_CLOUD AMI' },
  ],
  one: [
    { key: 'ONE_USER', label: 'Remote user', required: true },
    { key: 'ONE_PASSWORD', label: 'Remote password', secret: true, required: true },
    { key: 'ONE_ENDPOINT', label: 'Remote endpoint', hint: 'http://remote:2633/RPC2', required: true },
    { key: 'CPU', label: 'Capacity: CPU (cores)', required: true },
    { key: 'MEMORY', label: 'Capacity: memory (MB)', required: true },
    { key: 'TEMPLATE_ID', label: 'Default remote template ID', hint: 'For VMs that give no PUBLIC_CLOUD TEMPLATE_ID' },
  ],
};

const quote = (v: string) => `"${v.replace(/[\\"]/g, '\\$&')}"`;

/** What is wrong with a field's value, if anything. */
function fieldError(spec: Spec, value: string): string | undefined {
  const v = value.trim();
  if (spec.required && v === '') return `Enter the ${spec.label.toLowerCase()}`;
  if (v === '') return undefined;
  if (spec.key === 'CAPACITY' && !v.split(',').every((p) => /^\s*[A-Za-z][A-Za-z0-9_]*\s*=\s*\d+\s*$/.test(p))) return 'TYPE=COUNT pairs, e.g. M1_SMALL=4, T2_MICRO=10';
  if ((spec.key === 'CPU' || spec.key === 'MEMORY') && !/^\d+(\.\d+)?$/.test(v)) return 'A number >= 0';
  if (spec.key === 'TEMPLATE_ID' && !/^\d+$/.test(v)) return 'A template ID';
  return undefined;
}

/** Errors by key, for the driver's fields. */
export function hybridErrors(driver: string, values: HybridValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of FIELDS[driver] ?? []) {
    const e = fieldError(spec, values[spec.key] ?? '');
    if (e) out[spec.key] = e;
  }
  return out;
}

/** The host template the fields make (empty for other drivers). */
export function hybridTemplate(driver: string, values: HybridValues): string {
  const v = (k: string) => (values[k] ?? '').trim();
  const lines: string[] = [];
  const plain = (keys: string[]) => keys.filter((k) => v(k) !== '').forEach((k) => lines.push(`${k} = ${quote(v(k))}`));
  if (driver === 'ec2') {
    plain(['EC2_ACCESS', 'EC2_SECRET', 'REGION_NAME', 'EC2_ENDPOINT']);
    const pairs = v('CAPACITY').split(',').map((p) => p.split('=').map((x) => x.trim().toUpperCase()));
    lines.push(`CAPACITY = [ ${pairs.map(([k, n]) => `${k} = ${quote(n ?? '')}`).join(', ')} ]`);
    if (v('AMI')) lines.push(`PUBLIC_CLOUD_DEFAULTS = [ AMI = ${quote(v('AMI'))} ]`);
  } else if (driver === 'one') {
    plain(['ONE_USER', 'ONE_PASSWORD', 'ONE_ENDPOINT']);
    lines.push(`ONE_CAPACITY = [ CPU = ${quote(v('CPU'))}, MEMORY = ${quote(v('MEMORY'))} ]`);
    if (v('TEMPLATE_ID')) lines.push(`PUBLIC_CLOUD_DEFAULTS = [ TEMPLATE_ID = ${quote(v('TEMPLATE_ID'))} ]`);
  }
  return lines.join('\n');
}

export function HybridHostFields({ driver, values, onChange, touched }: { driver: string; values: HybridValues; onChange: (v: HybridValues) => void; touched: boolean }) {
  const specs = FIELDS[driver];
  if (!specs) return null;
  const errors = touched ? hybridErrors(driver, values) : {};
  return (
    <fieldset>
      <legend>{driver === 'ec2' ? 'Amazon EC2 account' : 'Remote OpenNebula'}</legend>
      {specs.map((s) => (
        <Field key={s.key} label={s.label} hint={s.hint} error={errors[s.key]}>
          <input
            type={s.secret ? 'password' : 'text'}
            value={values[s.key] ?? ''}
            onChange={(e) => onChange({ ...values, [s.key]: e.target.value })}
            autoComplete={s.secret ? 'new-password' : 'off'}
          />
        </Field>
      ))}
    </fieldset>
  );
}

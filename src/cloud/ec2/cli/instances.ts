/** What the instance commands share: the instance table and the state-change answers. */
import type { Instance, InstanceStateChange } from '@aws-sdk/client-ec2';
import { EconeError, type EconeContext } from './command.js';
import { idList } from './options.js';
import { formatTable, type Column } from './table.js';

export const INSTANCE_COLUMNS: readonly Column<Instance & { OwnerId?: string }>[] = [
  { header: 'instanceId', width: 12, value: (i) => i.InstanceId },
  { header: 'ImageId', width: 13, value: (i) => i.ImageId },
  { header: 'State', width: 14, value: (i) => i.State?.Name },
  { header: 'IP', width: 18, value: (i) => i.PrivateIpAddress ?? i.PublicIpAddress },
  { header: 'instanceType', width: 12, value: (i) => i.InstanceType },
];

export function printInstances(ctx: EconeContext, instances: readonly Instance[]): void {
  for (const line of formatTable(INSTANCE_COLUMNS, instances, ctx.options.headers === true)) ctx.print(line);
}

/** The INSTANCE-ID[,INSTANCE-ID...] argument. */
export function instanceIds(ctx: EconeContext): string[] {
  const ids = ctx.args.flatMap(idList);
  if (ids.length === 0) throw new EconeError('no INSTANCE-ID given', 1);
  return ids;
}

/** `Success: Stopping i-00000003 in running state`, one line per instance. */
export function printStateChanges(ctx: EconeContext, verb: string, changes: readonly InstanceStateChange[] | undefined): void {
  for (const c of changes ?? []) ctx.print(`Success: ${verb} ${c.InstanceId} in ${c.PreviousState?.Name ?? 'unknown'} state`);
}

/** `-n 3` or `-n 2-5` (min-max). */
export function instanceCount(text: string | undefined): [number, number] {
  if (text === undefined) return [1, 1];
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m?.[2] !== undefined ? Number(m[2]) : min;
  if (!m || min < 1 || max < min) throw new EconeError(`--instance-count wants N or MIN-MAX with 1 <= MIN <= MAX, not "${text}"`, 1);
  return [min, max];
}

/** The 3.x tool sent --user-data as given: Base64 already. */
export function userData(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new EconeError('--user-data wants Base64 text (e.g. "$(base64 -w0 FILE)")', 1);
  }
  return compact;
}

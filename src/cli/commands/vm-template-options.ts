/**
 * A VM template from command line options (`--cpu 1 --memory 512 --disk img0,img1 --nic net0`),
 * as `onevm create` and `onetemplate create` take it instead of a file.
 */
import { CliError, type CliContext, type OptionDef } from '../command.js';

export const VM_TEMPLATE_OPTIONS: OptionDef[] = [
  { long: 'name', value: 'NAME', description: 'Name of the VM or template' },
  { long: 'cpu', value: 'CPU', description: 'CPU share (1 = one physical CPU, 0.5 half of one)' },
  { long: 'vcpu', value: 'VCPU', description: 'Number of virtual CPUs' },
  { long: 'memory', value: 'MEMORY', description: 'Memory in MB (or with a unit: 512M, 2G)' },
  { long: 'disk', value: 'IMAGES', description: 'Images (ids or names) to attach, comma separated: img0,img1' },
  { long: 'nic', value: 'NETWORKS', description: 'Networks (ids or names) to connect, comma separated: net0,net1' },
  { long: 'raw', value: 'TEMPLATE', description: 'Template text added as is (e.g. \'CONTEXT=[ TOKEN="YES" ]\')' },
];

const OPTION_KEYS = VM_TEMPLATE_OPTIONS.map((o) => o.long);

function positive(value: string, what: string): string {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new CliError(`${what} must be a positive number, not "${value}"`);
  return value;
}

/** Memory in MB from `512`, `512M`, `2G`. */
export function memoryMb(text: string): string {
  const m = /^(\d+(?:\.\d+)?)([MmGg]?)$/.exec(text.trim());
  if (!m) throw new CliError(`--memory must be a size in MB such as 512 or 2G, not "${text}"`);
  const mb = Number(m[1]) * (m[2]?.toLowerCase() === 'g' ? 1024 : 1);
  if (!Number.isInteger(mb) || mb <= 0) throw new CliError(`--memory must be a whole positive number of MB, not "${text}"`);
  return String(mb);
}

function list(value: string | boolean | string[] | undefined): string[] {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return parts.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
}

/** Whether any template option was given (else the command needs a FILE). */
export function hasTemplateOptions(ctx: CliContext): boolean {
  return OPTION_KEYS.some((k) => ctx.options[k] !== undefined && k !== 'name');
}

/** The template the options describe; images and networks are resolved from names to ids. */
export async function templateFromOptions(ctx: CliContext): Promise<string> {
  const o = ctx.options;
  const lines: string[] = [];
  if (typeof o['name'] === 'string') lines.push(`NAME = "${o['name'].replace(/"/g, '\\"')}"`);
  if (typeof o['cpu'] === 'string') lines.push(`CPU = ${positive(o['cpu'], '--cpu')}`);
  if (typeof o['vcpu'] === 'string') {
    if (!/^[1-9]\d*$/.test(o['vcpu'])) throw new CliError(`--vcpu must be a whole positive number, not "${o['vcpu']}"`);
    lines.push(`VCPU = ${o['vcpu']}`);
  }
  if (typeof o['memory'] === 'string') lines.push(`MEMORY = ${memoryMb(o['memory'])}`);
  for (const image of list(o['disk'])) lines.push(`DISK = [ IMAGE_ID = ${await ctx.resolve('image', image)} ]`);
  for (const net of list(o['nic'])) lines.push(`NIC = [ NETWORK_ID = ${await ctx.resolve('vnet', net)} ]`);
  if (typeof o['raw'] === 'string') lines.push(o['raw']);
  return lines.join('\n');
}

/** `-m N`: how many to create (1 when absent). */
export function multiple(ctx: CliContext): number {
  const m = ctx.options['multiple'];
  if (m === undefined) return 1;
  if (typeof m !== 'string' || !/^[1-9]\d*$/.test(m)) throw new CliError(`--multiple must be a positive whole number, not "${String(m)}"`);
  return Number(m);
}

export const MULTIPLE: OptionDef = { long: 'multiple', short: 'm', value: 'N', description: 'Creates N copies' };
export const HOLD: OptionDef = { long: 'hold', description: 'Creates the VMs on HOLD: the scheduler leaves them until released' };

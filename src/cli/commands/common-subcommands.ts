/**
 * Pieces the VM-side commands (onevm, onetemplate, oneimage, onevnet) share beyond the
 * framework's subcommands (src/cli/subcommands.ts): `chgrp`, `ID: n` lines, argument checks.
 */
import type { Oca, OneObject, OwnedResource } from '../../oca/index.js';
import { eachId } from '../actions.js';
import { CliError, type CliContext, type OptionDef, type ResourceKind, type SubcommandDef } from '../command.js';
import { readTemplateFile } from '../actions.js';
import { KIND_LABEL } from '../resolve.js';

/** A string argument (the framework has checked required ones are there). */
export function arg(args: Record<string, string | string[] | undefined>, name: string): string {
  const v = args[name];
  return Array.isArray(v) ? v.join(' ') : (v ?? '');
}

/** `chgrp RANGE GROUP`: chown with the owner left as it is. */
export function chgrpSubcommand(kind: ResourceKind, resource: (one: Oca) => OwnedResource<OneObject>, examples: string[]): SubcommandDef {
  return {
    name: 'chgrp',
    description: `Changes the group of ${KIND_LABEL[kind]}s`,
    args: [{ name: 'RANGE', kind, range: true }, { name: 'GROUPID', kind: 'group' }],
    examples,
    async run(ctx, args) {
      const gid = await ctx.resolve('group', arg(args, 'GROUPID'));
      await eachId(ctx, kind, args['RANGE'], 'group changed', (id) => resource(ctx.one).chown(id, -1, gid));
    },
  };
}

/** OpenNebula 3.x's `publish` / `unpublish` (its `one.<kind>.publish`): shares with the group, and others where allowed. */
export function publishSubcommands(kind: ResourceKind, publish: (one: Oca, id: number, on: boolean) => Promise<number>, command: string): SubcommandDef[] {
  return [true, false].map((on) => ({
    name: on ? 'publish' : 'unpublish',
    description: on
      ? `Shares ${KIND_LABEL[kind]}s with their group (and everyone, where OTHER rights may be granted), as OpenNebula 3.x did`
      : `Stops sharing ${KIND_LABEL[kind]}s with their group and everyone`,
    args: [{ name: 'RANGE', kind, range: true }],
    examples: [`${command} ${on ? 'publish' : 'unpublish'} 3`],
    async run(ctx: CliContext, args: Record<string, string | string[] | undefined>) {
      await eachId(ctx, kind, args['RANGE'], on ? 'published' : 'unpublished', (id) => publish(ctx.one, id, on));
    },
  }));
}

/** Prints `ID: n` as OpenNebula's create commands do (`VM ID: n` for instantiate). */
export function printId(ctx: CliContext, id: number, label = 'ID'): void {
  ctx.print(`${label}: ${id}`);
}

/** A whole number argument (DISKID, AR_ID...). */
export function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a whole number, not "${text}"`);
  return Number(text);
}

/** The options of `nic-attach` (onevm, onevrouter): the network, the IP, or a NIC template file. */
export const NIC_ATTACH_OPTIONS: OptionDef[] = [
  { long: 'network', short: 'n', value: 'NETWORK', description: 'Network (id or name)' },
  { long: 'ip', short: 'i', value: 'IP', description: 'The IP to lease' },
  { long: 'file', short: 'f', value: 'FILE', description: 'File with a NIC = [ ... ] template' },
];

/** The NIC template `nic-attach` options say: the --file's, or `NIC = [ NETWORK_ID, IP ]` plus `extra` attributes (`, FLOATING_IP = "YES"`). */
export async function nicFromOptions(ctx: CliContext, extra = ''): Promise<string> {
  const o = ctx.options;
  if (typeof o['file'] === 'string') return readTemplateFile(o['file']);
  if (typeof o['network'] !== 'string') throw new CliError('Say which network: --network NETWORK or --file FILE');
  const ip = typeof o['ip'] === 'string' ? `, IP = "${o['ip']}"` : '';
  return `NIC = [ NETWORK_ID = ${await ctx.resolve('vnet', o['network'])}${ip}${extra} ]`;
}

/**
 * Pieces the VM-side commands (onevm, onetemplate, oneimage, onevnet) share beyond the
 * framework's subcommands (src/cli/subcommands.ts): `chgrp`, `ID: n` lines, argument checks.
 */
import type { Oca, OneObject, OwnedResource } from '../../oca/index.js';
import { eachId } from '../actions.js';
import { CliError, type CliContext, type ResourceKind, type SubcommandDef } from '../command.js';
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

/** Prints `ID: n` as OpenNebula's create commands do (`VM ID: n` for instantiate). */
export function printId(ctx: CliContext, id: number, label = 'ID'): void {
  ctx.print(`${label}: ${id}`);
}

/** A whole number argument (DISKID, AR_ID...). */
export function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a whole number, not "${text}"`);
  return Number(text);
}

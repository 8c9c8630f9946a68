/**
 * Subcommands every kind of object has in the same form (chmod, chown, rename, update, delete),
 * built once from the kind and its OCA resource so each command lists them without copies.
 */
import { readFileSync } from 'node:fs';
import type { Oca, OneObject, Resource } from '../../oca/index.js';
import { UpdateMode } from '../../oca/index.js';
import { CliError, type CliContext, type ResourceKind, type SubcommandDef } from '../command.js';

type Pick = (one: Oca) => Resource<OneObject>;

/** The text of a template file (one line error when it cannot be read). */
export function readTemplateFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read template file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Runs `fn` on every id; the others still run when one fails, then the failures are reported. */
export async function eachId(ids: number[], fn: (id: number) => Promise<unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const id of ids) {
    try {
      await fn(id);
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new CliError(failures.map((e) => (e as Error).message).join('; '));
}

/** A string argument (the framework has checked required ones are there). */
export function arg(args: Record<string, string | string[] | undefined>, name: string): string {
  const v = args[name];
  return Array.isArray(v) ? v.join(' ') : (v ?? '');
}

/** Ids of a RANGE argument (`1,3-5`, names). */
export function rangeIds(ctx: CliContext, kind: ResourceKind, args: Record<string, string | string[] | undefined>): Promise<number[]> {
  return ctx.resolveRange(kind, args['RANGE'] ?? '');
}

export function chmodSubcommand(command: string, kind: ResourceKind, pick: Pick): SubcommandDef {
  return {
    name: 'chmod',
    description: 'Changes the permissions (octal, as chmod: 640 = um- u-- ---)',
    args: [{ name: 'RANGE', kind, range: true }, { name: 'OCTET' }],
    examples: [`${command} chmod 3 640`, `${command} chmod 3-5 660`],
    run: async (ctx, args) => {
      const octet = arg(args, 'OCTET');
      if (!/^[0-7]{3}$/.test(octet)) throw new CliError(`Permissions must be three octal digits, such as 640, not "${octet}"`);
      const ids = await rangeIds(ctx, kind, args);
      await eachId(ids, (id) => pick(ctx.one).chmod(id, octet));
    },
  };
}

export function chownSubcommand(command: string, kind: ResourceKind, pick: Pick): SubcommandDef {
  return {
    name: 'chown',
    description: 'Changes the owner and, when given, the group',
    args: [{ name: 'RANGE', kind, range: true }, { name: 'USER', kind: 'user' }, { name: 'GROUP', kind: 'group', optional: true }],
    examples: [`${command} chown 3 alice`, `${command} chown 3,4 alice users`],
    run: async (ctx, args) => {
      const uid = await ctx.resolve('user', arg(args, 'USER'));
      const gid = args['GROUP'] ? await ctx.resolve('group', arg(args, 'GROUP')) : -1;
      const ids = await rangeIds(ctx, kind, args);
      await eachId(ids, (id) => pick(ctx.one).chown(id, uid, gid));
    },
  };
}

export function chgrpSubcommand(command: string, kind: ResourceKind, pick: Pick): SubcommandDef {
  return {
    name: 'chgrp',
    description: 'Changes the group',
    args: [{ name: 'RANGE', kind, range: true }, { name: 'GROUP', kind: 'group' }],
    examples: [`${command} chgrp 3 users`],
    run: async (ctx, args) => {
      const gid = await ctx.resolve('group', arg(args, 'GROUP'));
      const ids = await rangeIds(ctx, kind, args);
      await eachId(ids, (id) => pick(ctx.one).chown(id, -1, gid));
    },
  };
}

export function renameSubcommand(command: string, kind: ResourceKind, pick: Pick, idName: string): SubcommandDef {
  return {
    name: 'rename',
    description: 'Gives a new name',
    args: [{ name: idName, kind }, { name: 'NAME' }],
    examples: [`${command} rename 3 web-frontend`],
    run: async (ctx, args) => {
      const id = await ctx.resolve(kind, arg(args, idName));
      await pick(ctx.one).rename(id, arg(args, 'NAME'));
    },
  };
}

export function updateSubcommand(command: string, kind: ResourceKind, pick: Pick, idName: string): SubcommandDef {
  return {
    name: 'update',
    description: 'Replaces the template with the contents of FILE (--append merges it)',
    args: [{ name: idName, kind }, { name: 'FILE' }],
    options: [{ long: 'append', short: 'a', description: 'Merge the new attributes into the template instead of replacing it' }],
    examples: [`${command} update 3 new.tmpl`, `${command} update 3 extra.tmpl --append`],
    run: async (ctx, args) => {
      const text = readTemplateFile(arg(args, 'FILE'));
      const id = await ctx.resolve(kind, arg(args, idName));
      await pick(ctx.one).update(id, text, ctx.options['append'] ? UpdateMode.MERGE : UpdateMode.REPLACE);
    },
  };
}

export function deleteSubcommand(command: string, kind: ResourceKind, pick: Pick): SubcommandDef {
  return {
    name: 'delete',
    description: 'Deletes the objects',
    args: [{ name: 'RANGE', kind, range: true }],
    examples: [`${command} delete 3`, `${command} delete 3-5`],
    run: async (ctx, args) => {
      const ids = await rangeIds(ctx, kind, args);
      await eachId(ids, (id) => pick(ctx.one).delete(id));
    },
  };
}

/** Prints `ID: n` as OpenNebula's create commands do. */
export function printId(ctx: CliContext, id: number, label = 'ID'): void {
  ctx.print(`${label}: ${id}`);
}

/** A whole number argument (DISKID, AR_ID...). */
export function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a whole number, not "${text}"`);
  return Number(text);
}

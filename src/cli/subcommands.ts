/**
 * Subcommands many commands share (show, update, rename, chmod, chown, delete), built from the kind
 * of object and its OCA resource, so every command says and checks the same things.
 */
import { child } from '../common/xml-tree.js';
import { UpdateMode, type NamedResource, type Oca, type OneObject, type OwnedResource, type Resource } from '../oca/index.js';
import { eachId, templateFromFileOrEditor } from './actions.js';
import { CliError, type ArgDef, type ResourceKind, type SubcommandDef } from './command.js';
import { KIND_LABEL } from './resolve.js';
import { printShow, templateLines } from './output.js';

/** Which OCA resource serves a kind (`R`: the methods the subcommand needs). */
export type ResourceOf<R extends Resource<OneObject> = Resource<OneObject>> = (one: Oca) => R;

/** The argument naming one object of `kind` (`HOSTID`). */
export function idArg(kind: ResourceKind, name: string): ArgDef {
  return { name, kind };
}

/** The argument naming several (`1,3-5 web`). */
export function rangeArg(kind: ResourceKind): ArgDef {
  return { name: 'RANGE', kind, range: true, variadic: true };
}

/** `show ID`: the object as text (`text`), or as --xml / --json / --yaml. */
/** `--decrypt` of show (as OpenNebula's CLI): the *_ENCRYPTED_ATTR values in clear, for admins. */
export const DECRYPT_OPTION = { long: 'decrypt', description: 'Shows encrypted attributes in clear (oneadmin group only)' } as const;

export function showSubcommand<T extends OneObject>(kind: ResourceKind, arg: string, description: string, resource: ResourceOf<Resource<T>>, text: (o: T) => string, examples: string[]): SubcommandDef {
  return {
    name: 'show',
    description,
    args: [idArg(kind, arg)],
    options: [DECRYPT_OPTION],
    examples,
    async run(ctx, args) {
      const o = await resource(ctx.one).info(await ctx.resolve(kind, args[arg] as string), ctx.options.decrypt === true);
      printShow(ctx, o.xml, () => text(o));
    },
  };
}

/**
 * `update ID [FILE] [--append]`: the template from FILE or $EDITOR (starting from the current one,
 * the object's `element`: USER_TEMPLATE for VMs, whose `update` changes that one).
 */
export function updateSubcommand(kind: ResourceKind, arg: string, resource: ResourceOf, examples: string[], element = 'TEMPLATE'): SubcommandDef {
  return {
    name: 'update',
    description: `Replaces a ${KIND_LABEL[kind]}'s template with FILE (or what you write in $EDITOR)`,
    args: [idArg(kind, arg), { name: 'FILE', optional: true }],
    options: [{ long: 'append', short: 'a', description: 'Merges into the template instead of replacing it' }],
    examples,
    async run(ctx, args) {
      const res = resource(ctx.one);
      const id = await ctx.resolve(kind, args[arg] as string);
      const file = args.FILE as string | undefined;
      const current = file === undefined ? templateLines(child((await res.info(id)).node, element)).join('\n') : '';
      await res.update(id, templateFromFileOrEditor(file, current), ctx.options.append === true ? UpdateMode.MERGE : UpdateMode.REPLACE);
    },
  };
}

/** `rename ID NAME`. */
export function renameSubcommand(kind: ResourceKind, arg: string, resource: ResourceOf<NamedResource<OneObject>>, examples: string[]): SubcommandDef {
  return {
    name: 'rename',
    description: `Renames a ${KIND_LABEL[kind]}`,
    args: [idArg(kind, arg), { name: 'NAME' }],
    examples,
    async run(ctx, args) {
      await resource(ctx.one).rename(await ctx.resolve(kind, args[arg] as string), args.NAME as string);
    },
  };
}

/** `delete RANGE`. */
export function deleteSubcommand(kind: ResourceKind, description: string, resource: ResourceOf, examples: string[]): SubcommandDef {
  return {
    name: 'delete',
    description,
    args: [rangeArg(kind)],
    examples,
    run: (ctx, args) => eachId(ctx, kind, args.RANGE, 'deleted', (id) => resource(ctx.one).delete(id)),
  };
}

/** `chmod RANGE OCTET`. */
export function chmodSubcommand(kind: ResourceKind, resource: ResourceOf<OwnedResource<OneObject>>, examples: string[]): SubcommandDef {
  return {
    name: 'chmod',
    description: `Changes the permissions of ${KIND_LABEL[kind]}s (octal, such as 640)`,
    args: [{ name: 'RANGE', kind, range: true }, { name: 'OCTET' }],
    examples,
    async run(ctx, args) {
      const octet = args.OCTET as string;
      if (!/^[0-7]{3}$/.test(octet)) throw new CliError(`Permissions must be three octal digits, such as 640, not "${octet}"`, 1);
      await eachId(ctx, kind, args.RANGE, `permissions ${octet}`, (id) => resource(ctx.one).chmod(id, octet));
    },
  };
}

/** `chown RANGE USER [GROUP]`. */
export function chownSubcommand(kind: ResourceKind, resource: ResourceOf<OwnedResource<OneObject>>, examples: string[]): SubcommandDef {
  return {
    name: 'chown',
    description: `Changes the owner (and group) of ${KIND_LABEL[kind]}s`,
    args: [{ name: 'RANGE', kind, range: true }, { name: 'USERID', kind: 'user' }, { name: 'GROUPID', kind: 'group', optional: true }],
    examples,
    async run(ctx, args) {
      const uid = await ctx.resolve('user', args.USERID as string);
      const gid = args.GROUPID === undefined ? -1 : await ctx.resolve('group', args.GROUPID as string);
      await eachId(ctx, kind, args.RANGE, 'owner changed', (id) => resource(ctx.one).chown(id, uid, gid));
    },
  };
}

/** A resource whose objects can be locked. */
interface Lockable {
  lock(id: number, level: number): Promise<number>;
  unlock(id: number): Promise<number>;
}

/** `lock RANGE [--use|--manage|--admin|--all]` and `unlock RANGE`. */
export function lockSubcommands(kind: ResourceKind, resource: ResourceOf<Resource<OneObject> & Lockable>, lockExamples: string[], unlockExamples: string[]): SubcommandDef[] {
  const plural = `${KIND_LABEL[kind]}s`;
  return [
    {
      name: 'lock',
      description: `Locks ${plural} against actions (default --use: every action but show)`,
      args: [rangeArg(kind)],
      options: [
        { long: 'use', description: 'Lock use, manage and admin actions (default)' },
        { long: 'manage', description: 'Lock manage and admin actions' },
        { long: 'admin', description: 'Lock admin actions' },
        { long: 'all', description: 'Lock every action' },
      ],
      examples: lockExamples,
      run: async (ctx, args) => {
        const level = ctx.options['all'] ? 4 : ctx.options['admin'] ? 3 : ctx.options['manage'] ? 2 : 1;
        await eachId(ctx, kind, args['RANGE'], 'locked', (id) => resource(ctx.one).lock(id, level));
      },
    },
    {
      name: 'unlock',
      description: `Unlocks ${plural}`,
      args: [rangeArg(kind)],
      examples: unlockExamples,
      run: async (ctx, args) => {
        await eachId(ctx, kind, args['RANGE'], 'unlocked', (id) => resource(ctx.one).unlock(id));
      },
    },
  ];
}

/** `enable` and `disable` of objects with an enable call (marketplaces, apps, zones); `plural` names them in help. */
export function enableSubcommands(kind: ResourceKind, plural: string, resource: (one: Oca) => { enable(id: number, on: boolean): Promise<number> }, command: string): SubcommandDef[] {
  return [true, false].map((on) => ({
    name: on ? 'enable' : 'disable',
    description: `${on ? 'Enables' : 'Disables'} ${plural}`,
    args: [rangeArg(kind)],
    examples: [`${command} ${on ? 'enable' : 'disable'} 1`],
    run: (ctx, args) => eachId(ctx, kind, args['RANGE'], on ? 'enabled' : 'disabled', (id) => resource(ctx.one).enable(id, on)),
  }));
}

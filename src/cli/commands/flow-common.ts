/**
 * What `oneflow` and `oneflow-template` share: the client of oneflow-server (ONEFLOW_URL or
 * --server, the user's credentials from ONE_AUTH or --user/--password), ids from ids or names,
 * acting on several services or templates, and chown/chgrp/chmod/rename.
 */
import { FlowClient, FlowClientError, type FlowDocument } from '../../flow/client.js';
import { CliError, type CliContext, type OptionDef, type SubcommandDef } from '../command.js';
import { rangeWords } from '../resolve.js';
import { permissionTriples } from '../format.js';
import { pairs } from './show-sections.js';
import { arg } from './common-subcommands.js';

export const SERVER_OPTION: OptionDef = { long: 'server', value: 'URL', description: 'oneflow-server (else ONEFLOW_URL, else http://localhost:2474)' };

/** The client of oneflow-server for this command line. */
export function flowClient(ctx: CliContext): FlowClient {
  const o = ctx.options;
  if (typeof o.user === 'string' && typeof o.password !== 'string') throw new CliError(`--user ${o.user} needs --password`);
  if (typeof o.password === 'string' && typeof o.user !== 'string') throw new CliError('--password needs --user');
  return new FlowClient({ url: typeof o.server === 'string' ? o.server : undefined, session: typeof o.user === 'string' ? `${o.user}:${o.password as string}` : undefined });
}

/** The subcommand with --server, and the server's refusals printed as one line. */
export function flowSubcommand(def: SubcommandDef): SubcommandDef {
  return {
    ...def,
    options: [...(def.options ?? []), SERVER_OPTION],
    async run(ctx, args) {
      try {
        await def.run(ctx, args);
      } catch (err) {
        if (err instanceof FlowClientError) throw new CliError(err.message);
        throw err;
      }
    },
  };
}

/** Ids of `words` (ids, ranges, or names among `list()`, which is read only when a name is given). */
export async function docIds(words: string | string[] | undefined, what: string, list: () => Promise<FlowDocument<unknown>[]>): Promise<number[]> {
  const out: number[] = [];
  let docs: FlowDocument<unknown>[] | undefined;
  for (const w of rangeWords(words ?? [])) {
    if (/^\d+$/.test(w)) {
      out.push(Number(w));
      continue;
    }
    docs ??= await list();
    const found = docs.filter((d) => d.NAME === w);
    if (found.length !== 1) throw new CliError(found.length ? `There are several ${what}s named "${w}"; use an id` : `${what} named "${w}" not found`);
    out.push(Number(found[0]!.ID));
  }
  return out;
}

/** Runs `action` on each id, going on past failures; several failures become one error. */
export async function eachDoc(ctx: CliContext, ids: number[], label: string, action: (id: number) => Promise<unknown>): Promise<void> {
  const failures: string[] = [];
  for (const id of ids) {
    try {
      await action(id);
      if (ctx.options.verbose === true) ctx.print(`${label} ${id}: done`);
    } catch (err) {
      failures.push(`${label} ${id}: ${(err as Error).message}`);
    }
  }
  if (failures.length === 1) throw new CliError(failures[0]!.replace(/^[^:]+: /, ''));
  if (failures.length > 1) throw new CliError(`${failures.length} of ${ids.length} failed: ${failures.join(' / ')}`);
}

/** --json / --yaml of a document or list; false when neither was asked for. */
export function printedAsJson(ctx: CliContext, value: unknown): boolean {
  if (ctx.options.json !== true && ctx.options.yaml !== true) return false;
  ctx.print(JSON.stringify(value, null, 2));
  return true;
}

/** `PERMISSIONS` lines of a document. */
export function permissionText(d: FlowDocument<unknown>): string {
  const p = d.PERMISSIONS;
  const digit = (who: string) => String((p[`${who}_U`] === '1' ? 4 : 0) + (p[`${who}_M`] === '1' ? 2 : 0) + (p[`${who}_A`] === '1' ? 1 : 0));
  const [owner, group, other] = permissionTriples(['OWNER', 'GROUP', 'OTHER'].map(digit).join(''));
  return pairs([['OWNER', owner], ['GROUP', group], ['OTHER', other]]);
}

/** chown, chgrp, chmod and rename of services or templates (the same REST actions for both). */
export function ownershipSubcommands(command: string, idName: string, what: string, list: (c: FlowClient) => Promise<FlowDocument<unknown>[]>, act: (c: FlowClient, id: number, perform: 'chown' | 'chgrp' | 'chmod' | 'rename', params: Record<string, unknown>) => Promise<void>): SubcommandDef[] {
  const ids = (_ctx: CliContext, c: FlowClient, words: string | string[] | undefined) => docIds(words, what, () => list(c));
  const defs: SubcommandDef[] = [
    {
      name: 'chown',
      description: `Changes the owner (and group) of ${what}s`,
      args: [{ name: 'RANGE' }, { name: 'USERID', kind: 'user' }, { name: 'GROUPID', kind: 'group', optional: true }],
      examples: [`${command} chown 3 alice`, `${command} chown 3 alice users`],
      async run(ctx, args) {
        const c = flowClient(ctx);
        const owner = await ctx.resolve('user', arg(args, 'USERID'));
        const group = args.GROUPID === undefined ? undefined : await ctx.resolve('group', arg(args, 'GROUPID'));
        await eachDoc(ctx, await ids(ctx, c, args.RANGE), what.toUpperCase(), (id) => act(c, id, 'chown', { owner_id: owner, ...(group === undefined ? {} : { group_id: group }) }));
      },
    },
    {
      name: 'chgrp',
      description: `Changes the group of ${what}s`,
      args: [{ name: 'RANGE' }, { name: 'GROUPID', kind: 'group' }],
      examples: [`${command} chgrp 3 users`],
      async run(ctx, args) {
        const c = flowClient(ctx);
        const group = await ctx.resolve('group', arg(args, 'GROUPID'));
        await eachDoc(ctx, await ids(ctx, c, args.RANGE), what.toUpperCase(), (id) => act(c, id, 'chgrp', { group_id: group }));
      },
    },
    {
      name: 'chmod',
      description: `Changes the permissions of ${what}s (octal, such as 640)`,
      args: [{ name: 'RANGE' }, { name: 'OCTET' }],
      examples: [`${command} chmod 3 640`],
      async run(ctx, args) {
        const octet = arg(args, 'OCTET');
        if (!/^[0-7]{3}$/.test(octet)) throw new CliError(`Permissions must be three octal digits, such as 640, not "${octet}"`, 1);
        const c = flowClient(ctx);
        await eachDoc(ctx, await ids(ctx, c, args.RANGE), what.toUpperCase(), (id) => act(c, id, 'chmod', { octet }));
      },
    },
    {
      name: 'rename',
      description: `Renames a ${what}`,
      args: [{ name: idName }, { name: 'NAME' }],
      examples: [`${command} rename 3 web-prod`],
      async run(ctx, args) {
        const c = flowClient(ctx);
        const [id] = await ids(ctx, c, arg(args, idName));
        await act(c, id!, 'rename', { name: arg(args, 'NAME') });
      },
    },
  ];
  return defs.map(flowSubcommand);
}

/**
 * `oneuser`: users, their passwords, groups, auth drivers, quotas and login tokens, with
 * OpenNebula's subcommands and `oneuser list` columns (quota usage as `used / limit`).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { UpdateMode } from '../../oca/index.js';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { child, childText, parseXmlTree, type XmlNode } from '../../common/xml-tree.js';
import { CliError, type CommandDef } from '../command.js';
import { printList, printShow, showField, showHeader, templateLines, type Column } from '../output.js';
import { quotaSections, quotasById, vmQuotaCells } from '../quota-format.js';
import { eachId, readTemplateFile } from '../actions.js';
import { DECRYPT_OPTION, deleteSubcommand, updateSubcommand } from '../subcommands.js';

/** A row of `oneuser list`: the user element and its pool's quota entry. */
interface UserRow {
  readonly node: XmlNode;
  readonly quotas?: XmlNode;
  readonly defaults?: XmlNode;
}

const cells = (u: UserRow) => vmQuotaCells(u);

export const USER_COLUMNS: Column<UserRow>[] = [
  { name: 'ID', width: 4, value: (u) => childText(u.node, 'ID') },
  { name: 'NAME', width: 15, left: true, value: (u) => childText(u.node, 'NAME') },
  { name: 'ENABLED', width: 4, left: true, value: (u) => (childText(u.node, 'ENABLED') === '1' ? 'yes' : 'no'), default: false },
  { name: 'GROUP', width: 10, left: true, value: (u) => childText(u.node, 'GNAME') },
  { name: 'AUTH', width: 8, left: true, value: (u) => childText(u.node, 'AUTH_DRIVER') },
  { name: 'VMS', width: 9, value: (u) => cells(u).vms },
  { name: 'MEMORY', width: 17, value: (u) => cells(u).memory },
  { name: 'CPU', width: 11, value: (u) => cells(u).cpu },
  { name: 'PASSWORD', width: 50, left: true, value: (u) => childText(u.node, 'PASSWORD'), default: false },
];

/** The rows of a USER_POOL document. */
export function userRows(xml: string): UserRow[] {
  const pool = parseXmlTree(xml);
  const quotas = quotasById(pool);
  const defaults = child(pool, 'DEFAULT_USER_QUOTAS');
  return pool.children.filter((c) => c.name === 'USER').map((node) => ({ node, quotas: quotas.get(childText(node, 'ID')), defaults }));
}

/** `oneuser show` as OpenNebula prints it. */
export function userShow(xml: string): string {
  const u = parseXmlTree(xml);
  const gid = childText(u, 'GID');
  const secondary = (child(u, 'GROUPS')?.children ?? []).map((g) => g.text).filter((g) => g !== gid);
  const tokens = (u.children.filter((c) => c.name === 'LOGIN_TOKEN')).map(
    (t) => `${childText(t, 'TOKEN').slice(0, 8)}...  expires ${new Date(Number(childText(t, 'EXPIRATION_TIME')) * 1000).toISOString()}`,
  );
  const out = [
    showHeader(`USER ${childText(u, 'ID')} INFORMATION`),
    showField('ID', childText(u, 'ID')),
    showField('NAME', childText(u, 'NAME')),
    showField('GROUP', childText(u, 'GNAME')),
    ...(secondary.length ? [showField('SECONDARY GROUPS', secondary.join(','))] : []),
    showField('PASSWORD', childText(u, 'PASSWORD')),
    showField('AUTH_DRIVER', childText(u, 'AUTH_DRIVER')),
    showField('ENABLED', childText(u, 'ENABLED') === '1' ? 'Yes' : 'No'),
    '',
    showHeader('TOKENS'),
    ...tokens,
    '',
    showHeader('USER TEMPLATE'),
    ...templateLines(child(u, 'TEMPLATE')),
  ];
  const quotas = quotaSections({ quotas: u, defaults: child(u, 'DEFAULT_USER_QUOTAS') });
  if (quotas) out.push('', quotas);
  return out.join('\n');
}


/** The file `oneuser login` writes the token to: ONE_AUTH's, else ~/.one/one_auth. */
function authFile(): string {
  return process.env.ONE_AUTH || join(homedir(), '.one', 'one_auth');
}

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(' ') : (v ?? ''));

export const oneuser: CommandDef = {
  name: 'oneuser',
  description: 'Manages OpenNebula users',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a user; prints its id',
      args: [{ name: 'USERNAME' }, { name: 'PASSWORD', optional: true }],
      options: [{ long: 'driver', value: 'DRIVER', description: 'Auth driver (core, public, ssh, x509, ldap...); default core' }],
      examples: ['oneuser create ann s3cret', 'oneuser create bob --driver public'],
      async run(ctx, a) {
        const driver = typeof ctx.options.driver === 'string' ? ctx.options.driver : '';
        if (!a.PASSWORD && (driver === '' || driver === 'core')) throw new CliError('A core user needs a password: oneuser create USERNAME PASSWORD');
        ctx.print(`ID: ${await ctx.one.users.allocate(str(a.USERNAME), str(a.PASSWORD), driver)}`);
      },
    },
    deleteSubcommand('user', 'Deletes users', (one) => one.users, ['oneuser delete ann', 'oneuser delete 3,5-7']),
    {
      name: 'list',
      description: 'Lists users with their group, auth driver and VM quota usage',
      args: [],
      examples: ['oneuser list', 'oneuser list --list ID,NAME,ENABLED', 'oneuser list --json'],
      async run(ctx) {
        const xml = await ctx.one.users.listXml();
        printList(ctx, USER_COLUMNS, userRows(xml), xml, 'USER');
      },
    },
    {
      name: 'show',
      description: 'Shows a user (the session user without an argument)',
      args: [{ name: 'USER', kind: 'user', optional: true }],
      options: [DECRYPT_OPTION],
      examples: ['oneuser show ann', 'oneuser show 3 --json', 'oneuser show ann --decrypt'],
      async run(ctx, a) {
        // -1: the session's user, as OpenNebula's `oneuser show` without an argument.
        const id = a.USER === undefined ? -1 : await ctx.resolve('user', str(a.USER));
        const xml = (await ctx.one.users.info(id, ctx.options.decrypt === true)).xml;
        printShow(ctx, xml, () => userShow(xml));
      },
    },
    {
      name: 'ec2-key',
      description: 'Shows the EC2 access key id (the user name) and secret access key of a user (the session user without an argument); --rotate makes a new secret first',
      args: [{ name: 'USER', kind: 'user', optional: true }],
      options: [{ long: 'rotate', description: 'Replaces the secret with a new random one (the old one stops working at once)' }],
      examples: ['oneuser ec2-key', 'oneuser ec2-key ann --rotate'],
      async run(ctx, a) {
        const id = a.USER === undefined ? -1 : await ctx.resolve('user', str(a.USER));
        if (ctx.options.rotate === true) {
          const target = id === -1 ? Number(childText(parseXmlTree((await ctx.one.users.info(-1)).xml), 'ID')) : id;
          await ctx.one.users.update(target, `EC2_SECRET_KEY="${randomBytes(30).toString('base64')}"`, UpdateMode.MERGE);
        }
        const user = parseXmlTree((await ctx.one.users.info(id, true)).xml);
        const secret = childText(child(user, 'TEMPLATE') ?? user, 'EC2_SECRET_KEY');
        if (!secret) throw new CliError(`user ${childText(user, 'NAME')} has no EC2 secret key`);
        ctx.print(`AWS_ACCESS_KEY_ID=${childText(user, 'NAME')}\nAWS_SECRET_ACCESS_KEY=${secret}`);
      },
    },
    {
      name: 'passwd',
      description: 'Changes the password of a user',
      args: [{ name: 'USER', kind: 'user' }, { name: 'PASSWORD' }],
      examples: ['oneuser passwd ann n3w'],
      async run(ctx, a) {
        await ctx.one.users.passwd(await ctx.resolve('user', str(a.USER)), str(a.PASSWORD));
      },
    },
    {
      name: 'chgrp',
      description: 'Changes the primary group of users',
      args: [{ name: 'RANGE', kind: 'user', range: true }, { name: 'GROUP', kind: 'group' }],
      examples: ['oneuser chgrp ann devs', 'oneuser chgrp 3,4 100'],
      async run(ctx, a) {
        const gid = await ctx.resolve('group', str(a.GROUP));
        await eachId(ctx, 'user', a.RANGE, 'done', (id) => ctx.one.users.chgrp(id, gid));
      },
    },
    {
      name: 'addgroup',
      description: 'Adds a secondary group to users',
      args: [{ name: 'RANGE', kind: 'user', range: true }, { name: 'GROUP', kind: 'group' }],
      examples: ['oneuser addgroup ann ops'],
      async run(ctx, a) {
        const gid = await ctx.resolve('group', str(a.GROUP));
        await eachId(ctx, 'user', a.RANGE, 'done', (id) => ctx.one.users.addGroup(id, gid));
      },
    },
    {
      name: 'delgroup',
      description: 'Removes a secondary group from users',
      args: [{ name: 'RANGE', kind: 'user', range: true }, { name: 'GROUP', kind: 'group' }],
      examples: ['oneuser delgroup ann ops'],
      async run(ctx, a) {
        const gid = await ctx.resolve('group', str(a.GROUP));
        await eachId(ctx, 'user', a.RANGE, 'done', (id) => ctx.one.users.delGroup(id, gid));
      },
    },
    {
      name: 'chauth',
      description: 'Changes the auth driver (and the password) of a user',
      args: [{ name: 'USER', kind: 'user' }, { name: 'DRIVER' }, { name: 'PASSWORD', optional: true }],
      examples: ['oneuser chauth ann public', 'oneuser chauth ann core s3cret'],
      async run(ctx, a) {
        await ctx.one.users.chauth(await ctx.resolve('user', str(a.USER)), str(a.DRIVER), str(a.PASSWORD));
      },
    },
    {
      name: 'enable',
      description: 'Enables users',
      args: [{ name: 'RANGE', kind: 'user', range: true }],
      examples: ['oneuser enable ann'],
      run: (ctx, a) => eachId(ctx, 'user', a.RANGE, 'done', (id) => ctx.one.users.enable(id, true)),
    },
    {
      name: 'disable',
      description: 'Disables users: they cannot log in',
      args: [{ name: 'RANGE', kind: 'user', range: true }],
      examples: ['oneuser disable ann', 'oneuser disable 3-5'],
      run: (ctx, a) => eachId(ctx, 'user', a.RANGE, 'done', (id) => ctx.one.users.enable(id, false)),
    },
    {
      name: 'quota',
      description: 'Sets the quotas of a user from a template file (VM=[...], DATASTORE=[...], NETWORK=[...], IMAGE=[...])',
      args: [{ name: 'USER', kind: 'user' }, { name: 'FILE' }],
      examples: ['oneuser quota ann quota.txt   # quota.txt: VM=[ VMS=4, CPU=2, MEMORY=2048 ]'],
      async run(ctx, a) {
        const text = readTemplateFile(str(a.FILE));
        await ctx.one.users.quota(await ctx.resolve('user', str(a.USER)), text);
      },
    },
    updateSubcommand('user', 'USER', (one) => one.users, ['oneuser update ann info.txt', 'oneuser update ann email.txt --append']),
    {
      name: 'login',
      description: "Gets a login token for a user and writes USER:TOKEN to ONE_AUTH's file (~/.one/one_auth), or prints it",
      args: [{ name: 'USER' }],
      options: [
        { long: 'time', value: 'SECONDS', description: 'Validity of the token (default 36000)' },
        { long: 'group', value: 'GROUP', description: 'The token acts in this group only' },
        { long: 'stdout', description: 'Prints the token instead of writing the file' },
      ],
      examples: ['oneuser login ann --password s3cret --time 3600', 'oneuser login ann --stdout'],
      async run(ctx, a) {
        const seconds = ctx.options.time === undefined ? 36000 : Number(ctx.options.time);
        if (!Number.isInteger(seconds) || seconds < -1) throw new CliError(`--time must be a number of seconds, not "${String(ctx.options.time)}"`);
        const gid = typeof ctx.options.group === 'string' ? await ctx.resolve('group', ctx.options.group) : -1;
        const user = str(a.USER);
        const token = await ctx.one.users.login(user, '', seconds, gid);
        if (ctx.options.stdout) {
          ctx.print(token);
          return;
        }
        const file = authFile();
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${user}:${token}\n`, { mode: 0o600 });
        ctx.print(`Login token of ${user} written to ${file}`);
      },
    },
  ],
};

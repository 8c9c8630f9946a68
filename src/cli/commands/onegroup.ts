/**
 * `onegroup`: groups, their administrators and quotas, with OpenNebula's subcommands and
 * `onegroup list` columns (members and VM quota usage as `used / limit`).
 */
import { child, childText, parseXmlTree, type XmlNode } from '../../common/xml-tree.js';
import type { CommandDef } from '../command.js';
import { printList, printShow, showField, showHeader, templateLines, type Column } from '../output.js';
import { quotaSections, quotasById, vmQuotaCells } from '../quota-format.js';
import { eachId, readTemplateFile } from '../actions.js';
import { deleteSubcommand, updateSubcommand } from '../subcommands.js';
import { GROUP_DEFAULT_RESOURCES } from '../../oca/resources.js';

/** A row of `onegroup list`: the group element and its pool's quota entry. */
interface GroupRow {
  readonly node: XmlNode;
  readonly quotas?: XmlNode;
  readonly defaults?: XmlNode;
}

const ids = (node: XmlNode, list: string) => (child(node, list)?.children ?? []).map((c) => c.text);

export const GROUP_COLUMNS: Column<GroupRow>[] = [
  { name: 'ID', width: 4, value: (g) => childText(g.node, 'ID') },
  { name: 'NAME', width: 29, left: true, value: (g) => childText(g.node, 'NAME') },
  { name: 'USERS', width: 5, value: (g) => String(ids(g.node, 'USERS').length) },
  { name: 'VMS', width: 9, value: (g) => vmQuotaCells(g).vms },
  { name: 'MEMORY', width: 17, value: (g) => vmQuotaCells(g).memory },
  { name: 'CPU', width: 11, value: (g) => vmQuotaCells(g).cpu },
];

/** The rows of a GROUP_POOL document. */
export function groupRows(xml: string): GroupRow[] {
  const pool = parseXmlTree(xml);
  const quotas = quotasById(pool);
  const defaults = child(pool, 'DEFAULT_GROUP_QUOTAS');
  return pool.children.filter((c) => c.name === 'GROUP').map((node) => ({ node, quotas: quotas.get(childText(node, 'ID')), defaults }));
}

/** `onegroup show` as OpenNebula prints it. */
export function groupShow(xml: string): string {
  const g = parseXmlTree(xml);
  const out = [
    showHeader(`GROUP ${childText(g, 'ID')} INFORMATION`),
    showField('ID', childText(g, 'ID')),
    showField('NAME', childText(g, 'NAME')),
    '',
    showHeader('GROUP TEMPLATE'),
    ...templateLines(child(g, 'TEMPLATE')),
    '',
    showHeader('USERS'),
    'ID',
    ...ids(g, 'USERS').map((id) => id.padStart(2)),
    '',
    showHeader('ADMINS'),
    'ID',
    ...ids(g, 'ADMINS').map((id) => id.padStart(2)),
  ];
  const quotas = quotaSections({ quotas: g, defaults: child(g, 'DEFAULT_GROUP_QUOTAS') });
  if (quotas) out.push('', quotas);
  const rules = (child(g, 'VLAN_RULES')?.children ?? []).filter((c) => c.name === 'RULE');
  if (rules.length > 0) {
    out.push('', showHeader('VLAN RULES'), `${'ID'.padStart(3)} ${'SCOPE'.padEnd(6)} VNTEMPLATE`);
    for (const r of rules) out.push(`${childText(r, 'ID').padStart(3)} ${childText(r, 'SCOPE').padEnd(6)} ${childText(r, 'VNTEMPLATE')}`);
  }
  return out.join('\n');
}

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(' ') : (v ?? ''));


export const onegroup: CommandDef = {
  name: 'onegroup',
  description: 'Manages OpenNebula groups',
  subcommands: [
    {
      name: 'create',
      description: `Creates a group whose members may create the --resources objects; prints its id`,
      args: [{ name: 'NAME' }],
      options: [{ long: 'resources', value: 'RESOURCES', description: `Objects the members may create, as an ACL resource list (default ${GROUP_DEFAULT_RESOURCES})` }],
      examples: ['onegroup create devs', 'onegroup create testers --resources VM+TEMPLATE'],
      async run(ctx, a) {
        const resources = typeof ctx.options.resources === 'string' ? ctx.options.resources : GROUP_DEFAULT_RESOURCES;
        ctx.print(`ID: ${await ctx.one.groups.create(str(a.NAME), resources)}`);
      },
    },
    deleteSubcommand('group', 'Deletes groups (they must have no users)', (one) => one.groups, ['onegroup delete devs', 'onegroup delete 100-102']),
    {
      name: 'list',
      description: 'Lists groups with their number of users and VM quota usage',
      args: [],
      examples: ['onegroup list', 'onegroup list --filter NAME=devs', 'onegroup list --json'],
      async run(ctx) {
        const xml = await ctx.one.groups.listXml();
        printList(ctx, GROUP_COLUMNS, groupRows(xml), xml, 'GROUP');
      },
    },
    {
      name: 'show',
      description: 'Shows a group (the session group without an argument)',
      args: [{ name: 'GROUP', kind: 'group', optional: true }],
      examples: ['onegroup show devs', 'onegroup show 100 --xml'],
      async run(ctx, a) {
        // -1: the session's group, as OpenNebula's `onegroup show` without an argument.
        const id = a.GROUP === undefined ? -1 : await ctx.resolve('group', str(a.GROUP));
        const xml = (await ctx.one.groups.info(id)).xml;
        printShow(ctx, xml, () => groupShow(xml));
      },
    },
    {
      name: 'addadmin',
      description: 'Makes users administrators of the group (they must be members)',
      args: [{ name: 'GROUP', kind: 'group' }, { name: 'USERS', kind: 'user', range: true }],
      examples: ['onegroup addadmin devs ann'],
      async run(ctx, a) {
        const gid = await ctx.resolve('group', str(a.GROUP));
        await eachId(ctx, 'user', a.USERS, 'made an admin', (uid) => ctx.one.groups.addAdmin(gid, uid));
      },
    },
    {
      name: 'deladmin',
      description: 'Removes administrators of the group',
      args: [{ name: 'GROUP', kind: 'group' }, { name: 'USERS', kind: 'user', range: true }],
      examples: ['onegroup deladmin devs ann'],
      async run(ctx, a) {
        const gid = await ctx.resolve('group', str(a.GROUP));
        await eachId(ctx, 'user', a.USERS, 'no longer an admin', (uid) => ctx.one.groups.delAdmin(gid, uid));
      },
    },
    {
      name: 'quota',
      description: 'Sets the quotas of a group from a template file (VM=[...], DATASTORE=[...], NETWORK=[...], IMAGE=[...])',
      args: [{ name: 'GROUP', kind: 'group' }, { name: 'FILE' }],
      examples: ['onegroup quota devs quota.txt   # quota.txt: VM=[ VMS=10, MEMORY=8192 ]'],
      async run(ctx, a) {
        const text = readTemplateFile(str(a.FILE));
        await ctx.one.groups.quota(await ctx.resolve('group', str(a.GROUP)), text);
      },
    },
    updateSubcommand('group', 'GROUP', (one) => one.groups, ['onegroup update devs info.txt --append']),
    {
      name: 'vlan',
      description: 'Sets the VLAN rules of a group from a template file (RULE=[SCOPE=GROUP|USER, VNTEMPLATE=id]; an empty file clears them)',
      args: [{ name: 'GROUP', kind: 'group' }, { name: 'FILE' }],
      examples: ['onegroup vlan devs rules.txt   # rules.txt: RULE=[ SCOPE="USER", VNTEMPLATE=3 ]'],
      async run(ctx, a) {
        const text = readTemplateFile(str(a.FILE));
        await ctx.one.groups.vlan(await ctx.resolve('group', str(a.GROUP)), text);
      },
    },
  ],
};

/**
 * `oneacl`: ACL rules, written as OpenNebula writes them (`@1 VM+NET/* CREATE [#0]`) and listed
 * with its columns: a letter per resource type and per right.
 */
import { childText, parseXmlTree, type XmlNode } from '../../common/xml-tree.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import { rangeWords } from '../resolve.js';

/** The letters of the RES_ column, in OpenNebula's order. */
const TYPE_LETTERS: readonly [string, string][] = [
  ['VM', 'V'], ['HOST', 'H'], ['NET', 'N'], ['IMAGE', 'I'], ['USER', 'U'], ['TEMPLATE', 'T'],
  ['GROUP', 'G'], ['DATASTORE', 'D'], ['CLUSTER', 'C'], ['DOCUMENT', 'O'], ['ZONE', 'Z'],
  ['SECGROUP', 'S'], ['VDC', 'v'], ['VROUTER', 'R'], ['MARKETPLACE', 'M'], ['MARKETPLACEAPP', 'A'],
  ['VMGROUP', 'P'], ['VNTEMPLATE', 't'],
];
const RIGHT_LETTERS: readonly [string, string][] = [['USE', 'u'], ['MANAGE', 'm'], ['ADMIN', 'a'], ['CREATE', 'c']];

/** `VM+NET` as `V-N---...`: each named type's letter at its place, `-` elsewhere. */
function mask(names: string, letters: readonly [string, string][]): string {
  const set = new Set(names.split('+'));
  return letters.map(([n, l]) => (set.has(n) ? l : '-')).join('');
}

/** The words of a rule's STRING: user, TYPES/id, rights, zone. */
const words = (r: XmlNode) => childText(r, 'STRING').split(' ');

export const ACL_COLUMNS: Column<XmlNode>[] = [
  { name: 'ID', width: 5, value: (r) => childText(r, 'ID') },
  { name: 'USER', width: 8, left: true, value: (r) => words(r)[0] ?? '' },
  { name: `RES_${TYPE_LETTERS.map(([, l]) => l).join('')}`, width: 22, left: true, value: (r) => mask((words(r)[1] ?? '').split('/')[0]!, TYPE_LETTERS) },
  { name: 'RID', width: 5, value: (r) => (words(r)[1] ?? '').split('/')[1] ?? '' },
  { name: 'OPE_UMAC', width: 8, left: true, value: (r) => mask(words(r)[2] ?? '', RIGHT_LETTERS) },
  { name: 'ZONE', width: 5, value: (r) => words(r)[3] ?? '' },
];

/**
 * The rule text with user names resolved: `#ann` and `@devs` in the user component become
 * `#3` and `@100`, so names work here as wherever ids do.
 */
async function resolveRuleNames(ctx: CliContext, text: string): Promise<string> {
  const parts = text.trim().split(/\s+/);
  const m = /^([#@])(.*\D.*)$/.exec(parts[0] ?? '');
  if (m) parts[0] = `${m[1]}${await ctx.resolve(m[1] === '#' ? 'user' : 'group', m[2]!)}`;
  return parts.join(' ');
}

export const oneacl: CommandDef = {
  name: 'oneacl',
  description: 'Manages ACL rules',
  subcommands: [
    {
      name: 'create',
      description: 'Adds a rule "USER RESOURCES RIGHTS [ZONE]"; prints its id',
      args: [{ name: 'RULE', variadic: true }],
      examples: ['oneacl create "@1 VM+NET/* CREATE"', 'oneacl create "#ann IMAGE/#5 USE+MANAGE #0"', 'oneacl create "* HOST/%100 MANAGE"'],
      async run(ctx, a) {
        const text = await resolveRuleNames(ctx, ([] as string[]).concat(a.RULE ?? []).join(' '));
        try {
          ctx.print(`ID: ${await ctx.one.acls.addRule(text)}`);
        } catch (err) {
          if (err instanceof RangeError) throw new CliError(err.message);
          throw err;
        }
      },
    },
    {
      name: 'delete',
      description: 'Deletes rules by id',
      args: [{ name: 'RANGE', range: true }],
      examples: ['oneacl delete 5', 'oneacl delete 5,7-9'],
      async run(ctx, a) {
        const ids = rangeWords(a.RANGE ?? []);
        const bad = ids.find((w) => !/^\d+$/.test(w));
        if (bad !== undefined) throw new CliError(`ACL rules have no names: "${bad}" is not a rule id (see oneacl list)`);
        for (const id of ids) await ctx.one.acls.delRule(Number(id));
      },
    },
    {
      name: 'list',
      description: 'Lists the rules: the user, a letter per resource type and right, the resource id and zone',
      args: [],
      examples: ['oneacl list', 'oneacl list --filter USER=@1', 'oneacl list --json'],
      async run(ctx) {
        const xml = await ctx.one.acls.listXml();
        printList(ctx, ACL_COLUMNS, parseXmlTree(xml).children.filter((c) => c.name === 'ACL'), xml, 'ACL');
      },
    },
  ],
};

/**
 * `oneshowback`: the monthly cost of VMs. `list` prints `one.vmpool.showback` (per user `-u`,
 * group `-g`, months `-s`/`-e`), a table per user, or the records as XML/JSON/YAML; `calculate`
 * asks oned to compute the months from the history records (`one.vmpool.calculateshowback`).
 */
import { childText, parseXmlTree, type XmlNode } from '../../common/xml-tree.js';
import { PoolFilter } from '../../oca/index.js';
import { nodeXml, parseDateArg } from '../accounting.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { printShow, selectColumns, showHeader, tableLines, type Column } from '../output.js';

export const SHOWBACK_COLUMNS: Column<XmlNode>[] = [
  { name: 'UID', width: 4, value: (r) => childText(r, 'UID'), default: false },
  { name: 'USER_NAME', width: 12, left: true, value: (r) => childText(r, 'UNAME'), default: false },
  { name: 'MONTH', width: 8, value: (r) => `${childText(r, 'MONTH').padStart(2, '0')}/${childText(r, 'YEAR')}` },
  { name: 'VM_ID', width: 6, value: (r) => childText(r, 'VMID') },
  { name: 'VM_NAME', width: 12, left: true, value: (r) => childText(r, 'VMNAME') },
  { name: 'GID', width: 4, value: (r) => childText(r, 'GID'), default: false },
  { name: 'GROUP_NAME', width: 12, left: true, value: (r) => childText(r, 'GNAME') },
  { name: 'HOURS', width: 8, value: (r) => childText(r, 'HOURS') },
  { name: 'RUNNING_HOURS', width: 13, value: (r) => childText(r, 'RHOURS') },
  { name: 'COST', width: 10, value: (r) => childText(r, 'TOTAL_COST') },
  { name: 'CPU_COST', width: 10, value: (r) => childText(r, 'CPU_COST'), default: false },
  { name: 'MEMORY_COST', width: 11, value: (r) => childText(r, 'MEMORY_COST'), default: false },
  { name: 'DISK_COST', width: 10, value: (r) => childText(r, 'DISK_COST'), default: false },
];

/**
 * A month argument as [month 1..12, year]: `MM/YYYY`, `YYYY-MM` or `YYYY/MM`, or any date
 * oneacct takes (its month counts); undefined when the text is none of these.
 */
export function parseMonthArg(text: string): [number, number] | undefined {
  const t = text.trim();
  let m = /^(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return Number(m[1]) >= 1 && Number(m[1]) <= 12 ? [Number(m[1]), Number(m[2])] : undefined;
  m = /^(\d{4})[-/](\d{1,2})$/.exec(t);
  if (m) return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? [Number(m[2]), Number(m[1])] : undefined;
  const time = parseDateArg(t);
  if (time === undefined) return undefined;
  const d = new Date(time * 1000);
  return [d.getMonth() + 1, d.getFullYear()];
}

/** [month, year] of a -s/-e option ([-1, -1] when absent). */
function monthOption(ctx: CliContext, name: 'start' | 'end'): [number, number] {
  const v = ctx.options[name];
  if (typeof v !== 'string') return [-1, -1];
  const my = parseMonthArg(v);
  if (!my) throw new CliError(`--${name} "${v}" is not a month: use MM/YYYY, YYYY-MM or a date (YYYY-MM-DD, MM/DD/YYYY)`);
  return my;
}

/** Both bounds, refusing an end before the start. */
function monthRange(ctx: CliContext): [number, number, number, number] {
  const [sm, sy] = monthOption(ctx, 'start');
  const [em, ey] = monthOption(ctx, 'end');
  if (sy !== -1 && ey !== -1 && ey * 12 + em < sy * 12 + sm) throw new CliError('--end is before --start');
  return [sm, sy, em, ey];
}

const START = { long: 'start', short: 's', value: 'TIME', description: 'First month of the data (MM/YYYY, YYYY-MM or a date)' };
const END = { long: 'end', short: 'e', value: 'TIME', description: 'Last month of the data' };

export const oneshowback: CommandDef = {
  name: 'oneshowback',
  description: 'Shows the monthly cost of VMs (showback), and calculates it from the accounting records',
  subcommands: [
    {
      name: 'list',
      description: 'Prints the showback records of a range of months, a table per user',
      args: [],
      options: [
        START,
        END,
        { long: 'userfilter', short: 'u', value: 'USER', description: 'Records of this user (name or id)' },
        { long: 'group', short: 'g', value: 'GROUP', description: 'Records of the VMs of this group (name or id)' },
      ],
      examples: ['oneshowback list', 'oneshowback list -u ann -s 01/2026 -e 03/2026', 'oneshowback list -g devs --json'],
      async run(ctx) {
        const [sm, sy, em, ey] = monthRange(ctx);
        const uid = typeof ctx.options.userfilter === 'string' ? await ctx.resolve('user', ctx.options.userfilter) : PoolFilter.ALL;
        const gid = typeof ctx.options.group === 'string' ? String(await ctx.resolve('group', ctx.options.group)) : undefined;
        let xml = await ctx.one.vms.showback(uid, sm, sy, em, ey);
        const found = parseXmlTree(xml).children.filter((c) => c.name === 'SHOWBACK');
        // oned filters by owner only; the group is filtered here, as OpenNebula's oneshowback does.
        const records = gid === undefined ? found : found.filter((r) => childText(r, 'GID') === gid);
        if (records.length !== found.length) xml = `<SHOWBACK_RECORDS>${records.map(nodeXml).join('')}</SHOWBACK_RECORDS>`;
        printShow(ctx, xml, () => {
          const columns = selectColumns(SHOWBACK_COLUMNS, typeof ctx.options.list === 'string' ? ctx.options.list : undefined);
          const byUser = new Map<string, XmlNode[]>();
          for (const r of records) {
            const list = byUser.get(childText(r, 'UID'));
            if (list) list.push(r);
            else byUser.set(childText(r, 'UID'), [r]);
          }
          const out: string[] = [];
          for (const [user, list] of byUser) {
            if (out.length) out.push('');
            out.push(showHeader(`# User ${user} ${childText(list[0]!, 'UNAME')}`.trimEnd()), '');
            out.push(...tableLines(columns, list, { noHeader: ctx.options['no-header'] === true, csv: ctx.options.csv === true, delimiter: typeof ctx.options.delimiter === 'string' ? ctx.options.delimiter : undefined }));
          }
          return out.join('\n');
        });
      },
    },
    {
      name: 'calculate',
      description: 'Calculates the showback records from the accounting records (oneadmin group only); without -s, from the oldest record; without -e, up to now',
      args: [],
      options: [START, END],
      examples: ['oneshowback calculate', 'oneshowback calculate -s 01/2026 -e 03/2026'],
      async run(ctx) {
        const [sm, sy, em, ey] = monthRange(ctx);
        await ctx.one.vms.calculateShowback(sm, sy, em, ey);
      },
    },
  ],
};

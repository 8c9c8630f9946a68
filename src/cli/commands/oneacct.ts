/**
 * `oneacct`: what VMs used, from `one.vmpool.accounting`: per user (`-u`), group (`-g`) and date
 * range (`-s`/`-e`), a table per user as OpenNebula prints it, or the records as XML/JSON/YAML.
 */
import { child, childText, parseXmlTree, type XmlNode } from '../../common/xml-tree.js';
import { historyActionName, PoolFilter } from '../../oca/index.js';
import { nodeXml, parseDateArg, recordOwner, recordsByUser, missingVms, withVms } from '../accounting.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { printShow, selectColumns, showHeader, tableLines, type Column } from '../output.js';
import { dateTime, size } from '../format.js';

const vmText = (h: XmlNode, path: string) => {
  let n: XmlNode | undefined = child(h, 'VM');
  for (const name of path.split('/')) n = n && child(n, name);
  return n?.text ?? '';
};

export const ACCT_COLUMNS: Column<XmlNode>[] = [
  { name: 'VID', width: 5, value: (h) => childText(h, 'OID') },
  { name: 'SEQ', width: 3, value: (h) => childText(h, 'SEQ'), default: false },
  { name: 'HOSTNAME', width: 15, left: true, value: (h) => childText(h, 'HOSTNAME') },
  { name: 'ACTION', width: 16, left: true, value: (h) => historyActionName(childText(h, 'ACTION') || 0) },
  { name: 'START_TIME', width: 14, value: (h) => dateTime(Number(childText(h, 'STIME'))) },
  { name: 'END_TIME', width: 14, value: (h) => dateTime(Number(childText(h, 'ETIME'))) },
  { name: 'MEMORY', width: 6, value: (h) => { const m = vmText(h, 'TEMPLATE/MEMORY'); return m === '' ? '-' : size(Number(m), 'M'); } },
  { name: 'CPU', width: 3, value: (h) => vmText(h, 'TEMPLATE/CPU') || '-' },
  { name: 'NAME', width: 15, left: true, value: (h) => vmText(h, 'NAME'), default: false },
];

/** The epoch seconds of a -s/-e option (-1 when absent). */
function timeOption(ctx: CliContext, name: 'start' | 'end'): number {
  const v = ctx.options[name];
  if (typeof v !== 'string') return -1;
  const t = parseDateArg(v);
  if (t === undefined) throw new CliError(`--${name} "${v}" is not a date: use YYYY-MM-DD or MM/DD/YYYY, optionally with HH:MM[:SS]`);
  return t;
}

export const oneacct: CommandDef = {
  name: 'oneacct',
  description: 'Shows what VMs used: their history records per user',
  subcommands: [
    {
      name: 'show',
      description: 'Prints the accounting records of a date range, a table per user (the default subcommand in OpenNebula: `oneacct` alone)',
      args: [],
      options: [
        { long: 'start', short: 's', value: 'TIME', description: 'First day of the records (YYYY-MM-DD or MM/DD/YYYY [HH:MM[:SS]])' },
        { long: 'end', short: 'e', value: 'TIME', description: 'Last day of the records' },
        { long: 'userfilter', short: 'u', value: 'USER', description: 'Records of this user (name or id)' },
        { long: 'group', short: 'g', value: 'GROUP', description: 'Records of the VMs of this group (name or id)' },
      ],
      examples: ['oneacct show', 'oneacct show -u ann -s 2026-12-01 -e 2026-12-31', 'oneacct show -g devs --json'],
      async run(ctx) {
        const start = timeOption(ctx, 'start');
        const end = timeOption(ctx, 'end');
        if (start !== -1 && end !== -1 && end < start) throw new CliError('--end is before --start');
        const uid = typeof ctx.options.userfilter === 'string' ? await ctx.resolve('user', ctx.options.userfilter) : PoolFilter.ALL;
        const gid = typeof ctx.options.group === 'string' ? String(await ctx.resolve('group', ctx.options.group)) : undefined;
        let xml = await ctx.one.vms.accountingXml(uid, start, end);
        const found = parseXmlTree(xml).children.filter((c) => c.name === 'HISTORY');
        // State -2: DONE VMs too, they are most of what accounting reports.
        let records = missingVms(found) ? withVms(found, parseXmlTree(await ctx.one.vms.listXml(uid, -1, -1, -2))) : found;
        // oned filters by owner only; the group is filtered here, as OpenNebula's oneacct does.
        if (gid !== undefined) records = records.filter((h) => recordOwner(h).gid === gid);
        if (records.some((h, i) => h !== found[i]) || records.length !== found.length) {
          xml = `<HISTORY_RECORDS>${records.map(nodeXml).join('')}</HISTORY_RECORDS>`;
        }
        printShow(ctx, xml, () => {
          const columns = selectColumns(ACCT_COLUMNS, typeof ctx.options.list === 'string' ? ctx.options.list : undefined);
          const out: string[] = [];
          for (const [user, list] of recordsByUser(records)) {
            if (out.length) out.push('');
            out.push(showHeader(`# User ${user} ${recordOwner(list[0]!).uname}`.trimEnd()), '');
            out.push(...tableLines(columns, list, { noHeader: ctx.options['no-header'] === true, csv: ctx.options.csv === true, delimiter: typeof ctx.options.delimiter === 'string' ? ctx.options.delimiter : undefined }));
          }
          return out.join('\n');
        });
      },
    },
  ],
};

/**
 * `onezone`: the zones of a federation, as OpenNebula's onezone: create, list, show, update,
 * rename, delete, enable/disable, the server pool (server-add, server-del, server-reset), and
 * `set`, which points this shell's commands at a zone by writing its ENDPOINT to
 * ~/.one/one_endpoint (the file every command reads when ONE_XMLRPC is not set).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { child, childText, parseXmlTree } from '../../common/xml-tree.js';
import { OneClient, type NamedResource, type OneObject } from '../../oca/index.js';
import { readTemplateFile } from '../actions.js';
import { CliError, type CommandDef, type SubcommandDef } from '../command.js';
import { printList, printShow, type Column } from '../output.js';
import { deleteSubcommand, enableSubcommands, idArg, renameSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, printId } from './common-subcommands.js';
import { pairs, section, templateText } from './show-sections.js';

const ZONE_STATES = ['ENABLED', 'DISABLED'];
const zones: ResourceOf<NamedResource<OneObject>> = (one) => one.zones;

/** The file `onezone set` writes and the client library reads. */
export function endpointFile(home = homedir()): string {
  return join(home, '.one', 'one_endpoint');
}

function zoneColumns(current: string): Column<OneObject>[] {
  return [
    // "*" marks the zone this command talked to, as OpenNebula's onezone list does.
    { name: 'C', width: 1, value: (z) => (z.get('TEMPLATE/ENDPOINT') === current ? '*' : ' ') },
    { name: 'ID', width: 4, value: (z) => String(z.id) },
    { name: 'NAME', width: 16, left: true, value: (z) => z.name },
    { name: 'ENDPOINT', width: 40, left: true, value: (z) => z.get('TEMPLATE/ENDPOINT') },
    { name: 'STAT', width: 4, value: (z) => (z.get('STATE') === '1' ? 'OFF' : 'ON') },
  ];
}

/** OpenNebula's Raft state names, by the numbers one.zone.raftstatus answers. */
const RAFT_STATES = ['solo', 'candidate', 'follower', 'leader'];

/** A server's one.zone.raftstatus, asked at its own endpoint (null: it did not answer). */
interface ServerRaft {
  readonly state: string;
  readonly term: string;
  readonly leader: string;
}

/** Asks every server of the zone for its Raft status, as OpenNebula's onezone show does. */
async function serversRaft(z: OneObject, session: string): Promise<Map<string, ServerRaft | null>> {
  const servers = (child(z.node, 'SERVER_POOL')?.children ?? []).filter((s) => s.name === 'SERVER');
  const out = new Map<string, ServerRaft | null>();
  await Promise.all(
    servers.map(async (s) => {
      const client = new OneClient({ endpoint: childText(s, 'ENDPOINT'), session, timeoutMs: 3000 });
      try {
        const raft = parseXmlTree(String(await client.call('one.zone.raftstatus')));
        out.set(childText(s, 'ID'), { state: RAFT_STATES[Number(childText(raft, 'STATE'))] ?? childText(raft, 'STATE'), term: childText(raft, 'TERM'), leader: childText(raft, 'VOTEDFOR') });
      } catch {
        out.set(childText(s, 'ID'), null);
      } finally {
        client.close();
      }
    }),
  );
  return out;
}

function zoneText(z: OneObject, raft: Map<string, ServerRaft | null> = new Map()): string {
  const servers = (child(z.node, 'SERVER_POOL')?.children ?? []).filter((s) => s.name === 'SERVER');
  const row = (s: (typeof servers)[number]) => {
    const r = raft.get(childText(s, 'ID'));
    const state = r === undefined ? '-' : r === null ? 'error' : r.state;
    return `${childText(s, 'ID').padStart(3)} ${childText(s, 'NAME').padEnd(15)} ${state.padEnd(10)} ${(r?.term ?? '-').padStart(5)} ${(r?.leader ?? '-').padStart(6)} ${childText(s, 'ENDPOINT')}`;
  };
  return [
    section(`ZONE ${z.id} INFORMATION`, pairs([
      ['ID', String(z.id)],
      ['NAME', z.name],
      ['STATE', ZONE_STATES[Number(z.get('STATE'))] ?? z.get('STATE')],
    ])),
    servers.length
      ? section('ZONE SERVERS', [`${'ID'.padStart(3)} ${'NAME'.padEnd(15)} ${'STATE'.padEnd(10)} ${'TERM'.padStart(5)} ${'LEADER'.padStart(6)} ENDPOINT`, ...servers.map(row)].join('\n'))
      : '',
    section('ZONE TEMPLATE', templateText(child(z.node, 'TEMPLATE'))),
  ].filter((s) => s !== '').join('\n').trimEnd();
}

/** server-del / server-reset: a zone and one of its server ids. */
function serverSubcommand(name: string, description: string, call: (one: Parameters<ResourceOf>[0], zid: number, sid: number) => Promise<number>): SubcommandDef {
  return {
    name,
    description,
    args: [idArg('zone', 'ZONEID'), { name: 'SERVERID' }],
    examples: [`onezone ${name} 100 0`],
    async run(ctx, args) {
      const sid = Number(arg(args, 'SERVERID'));
      if (!Number.isInteger(sid) || sid < 0) throw new CliError(`SERVERID must be a server id (onezone show lists them), got "${arg(args, 'SERVERID')}"`);
      await call(ctx.one, await ctx.resolve('zone', arg(args, 'ZONEID')), sid);
    },
  };
}

export const onezone: CommandDef = {
  name: 'onezone',
  description: 'Manages OpenNebula zones (the oneds of a federation)',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a zone from a template file (NAME, ENDPOINT: its oned\'s XML-RPC endpoint)',
      args: [{ name: 'FILE' }],
      examples: ['onezone create zone.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.zones.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists zones; * marks the one this shell talks to',
      args: [],
      examples: ['onezone list', 'onezone list --csv'],
      async run(ctx) {
        const xml = await ctx.one.zones.listXml();
        printList(ctx, zoneColumns(ctx.one.client.endpoint), ctx.one.zones.parseList(xml), xml, 'ZONE');
      },
    },
    {
      name: 'show',
      description: 'Shows a zone: state, servers (each asked for its HA state: leader, follower...), template',
      args: [idArg('zone', 'ZONEID')],
      examples: ['onezone show 0', 'onezone show OpenNebula --xml'],
      async run(ctx, args) {
        const z = await zones(ctx.one).info(await ctx.resolve('zone', args.ZONEID as string));
        const raft = ctx.options.xml ? new Map() : await serversRaft(z, ctx.one.client.session);
        printShow(ctx, z.xml, () => zoneText(z, raft));
      },
    },
    updateSubcommand('zone', 'ZONEID', zones, ['onezone update 100 zone.tmpl', 'onezone update 100 --append more.tmpl']),
    renameSubcommand('zone', 'ZONEID', zones, ['onezone rename 100 east']),
    deleteSubcommand('zone', 'Deletes zones (not zone 0, nor the zone of this oned)', zones, ['onezone delete 100']),
    ...enableSubcommands('zone', 'zones', (one) => one.zones, 'onezone'),
    {
      name: 'set',
      description: 'Makes the commands of this user talk to a zone: writes its ENDPOINT to ~/.one/one_endpoint',
      args: [idArg('zone', 'ZONEID')],
      examples: ['onezone set east', 'onezone set 0'],
      async run(ctx, args) {
        const zone = await ctx.one.zones.info(await ctx.resolve('zone', arg(args, 'ZONEID')));
        const endpoint = zone.get('TEMPLATE/ENDPOINT');
        if (!/^https?:\/\//.test(endpoint)) throw new CliError(`Zone ${zone.id} has no usable ENDPOINT ("${endpoint}"): set one with onezone update`);
        const file = endpointFile();
        mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
        writeFileSync(file, `${endpoint}\n`);
        chmodSync(file, 0o644);
        ctx.print(`Endpoint changed to "${endpoint}" in ${file}`);
        if (process.env.ONE_XMLRPC) ctx.print(`Note: ONE_XMLRPC is set ("${process.env.ONE_XMLRPC}") and wins over ${file}; unset it to use the zone.`);
      },
    },
    {
      name: 'server-add',
      description: 'Adds a server to a zone\'s server pool',
      args: [idArg('zone', 'ZONEID')],
      options: [
        { long: 'server_name', value: 'NAME', description: 'Name of the server' },
        { long: 'server_rpc', value: 'URL', description: 'XML-RPC endpoint of the server' },
      ],
      examples: ['onezone server-add 100 --server_name s1 --server_rpc http://s1:2633/RPC2'],
      async run(ctx, args) {
        const name = ctx.options.server_name;
        const rpc = ctx.options.server_rpc;
        if (typeof name !== 'string' || typeof rpc !== 'string') throw new CliError('server-add needs --server_name and --server_rpc');
        await ctx.one.zones.addServer(await ctx.resolve('zone', arg(args, 'ZONEID')), name, rpc);
      },
    },
    serverSubcommand('server-del', 'Removes a server from a zone\'s server pool', (one, zid, sid) => one.zones.delServer(zid, sid)),
    serverSubcommand('server-reset', 'Resets a server of a zone (there is no Raft log to reset: checks the server exists)', (one, zid, sid) => one.zones.resetServer(zid, sid)),
  ],
};

/**
 * `onemarket` and `onemarketapp`: marketplaces and their apps, as OpenNebula's commands:
 * create, list, show, update, rename, chgrp, chown, chmod, delete, enable, disable; apps also
 * export (into a datastore), download (to a local file), lock and unlock.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { APP_STATES, APP_TYPES, MARKET_STATES, type OneObject, type OwnedResource } from '../../oca/index.js';
import { eachId, readTemplateFile } from '../actions.js';
import { CliError, type CommandDef } from '../command.js';
import { dateTime, percent, size } from '../format.js';
import { printList, type Column } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, enableSubcommands, idArg, rangeArg, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, chgrpSubcommand, printId } from './common-subcommands.js';
import { pairs, permissionRows, section, templateText } from './show-sections.js';

const markets: ResourceOf<OwnedResource<OneObject>> = (one) => one.markets;
const apps: ResourceOf<OwnedResource<OneObject>> = (one) => one.marketApps;

const marketState = (m: OneObject) => MARKET_STATES[m.int('STATE')] ?? 'UNKNOWN';
const appState = (a: OneObject) => APP_STATES[a.int('STATE')] ?? 'UNKNOWN';
const appType = (a: OneObject) => APP_TYPES[a.int('TYPE')] ?? 'UNKNOWN';
const SHORT_APP_STATES: Record<string, string> = { INIT: 'ini', READY: 'rdy', LOCKED: 'lck', ERROR: 'err', DISABLED: 'dis' };
const SHORT_APP_TYPES: Record<string, string> = { IMAGE: 'img', VMTEMPLATE: 'tpl', SERVICE_TEMPLATE: 'srv', UNKNOWN: 'unk' };

/** `onemarket list` columns (OpenNebula's). */
export const marketColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (m) => String(m.id) },
  { name: 'NAME', width: 30, left: true, value: (m) => m.name },
  { name: 'SIZE', width: 7, value: (m) => (m.int('TOTAL_MB') > 0 ? size(m.int('TOTAL_MB'), 'M') : '0M') },
  { name: 'AVAIL', width: 5, value: (m) => (m.int('TOTAL_MB') > 0 ? percent(m.int('FREE_MB'), m.int('TOTAL_MB')) : '-') },
  { name: 'APPS', width: 6, value: (m) => String(m.ids('MARKETPLACEAPPS').length) },
  { name: 'MAD', width: 7, left: true, value: (m) => m.get('MARKET_MAD') },
  { name: 'ZONE', width: 6, value: (m) => m.get('ZONE_ID') },
  { name: 'STAT', width: 4, left: true, value: (m) => (marketState(m) === 'ENABLED' ? 'on' : 'off') },
];

/** `onemarketapp list` columns (OpenNebula's). */
export const appColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (a) => String(a.id) },
  { name: 'NAME', width: 25, left: true, value: (a) => a.name },
  { name: 'VERSION', width: 10, left: true, value: (a) => a.get('VERSION') || '-' },
  { name: 'SIZE', width: 5, value: (a) => size(a.int('SIZE'), 'M') },
  { name: 'STAT', width: 4, left: true, value: (a) => SHORT_APP_STATES[appState(a)] ?? '-' },
  { name: 'TYPE', width: 4, left: true, value: (a) => SHORT_APP_TYPES[appType(a)] ?? '-' },
  { name: 'REGTIME', width: 14, left: true, value: (a) => dateTime(a.int('REGTIME')) },
  { name: 'MARKET', width: 20, left: true, value: (a) => a.get('MARKETPLACE') },
  { name: 'ZONE', width: 4, value: (a) => a.get('ZONE_ID') },
];

function marketText(m: OneObject): string {
  return [
    section(`MARKETPLACE ${m.id} INFORMATION`, pairs([
      ['ID', String(m.id)],
      ['NAME', m.name],
      ['USER', m.uname],
      ['GROUP', m.gname],
      ['STATE', marketState(m)],
      ['MARKET_MAD', m.get('MARKET_MAD')],
      ['ZONE_ID', m.get('ZONE_ID')],
    ])),
    section('MARKETPLACE CAPACITY', pairs([
      ['TOTAL:', size(m.int('TOTAL_MB'), 'M')],
      ['FREE:', size(m.int('FREE_MB'), 'M')],
      ['USED:', size(m.int('USED_MB'), 'M')],
    ])),
    section('PERMISSIONS', pairs(permissionRows(m))),
    section('MARKETPLACE TEMPLATE', templateText(m.all('TEMPLATE')[0])),
    section('MARKETAPPS', m.ids('MARKETPLACEAPPS').join('\n') || '-'),
  ].join('\n').trimEnd();
}

function appText(a: OneObject): string {
  const decoded = a.get('APPTEMPLATE64') ? Buffer.from(a.get('APPTEMPLATE64'), 'base64').toString('utf8') : '';
  return [
    section(`MARKETPLACE APP ${a.id} INFORMATION`, pairs([
      ['ID', String(a.id)],
      ['NAME', a.name],
      ['TYPE', appType(a)],
      ['USER', a.uname],
      ['GROUP', a.gname],
      ['LOCK', a.get('LOCK/LOCKED') ? 'Yes' : 'None'],
      ['MARKETPLACE', a.get('MARKETPLACE')],
      ['STATE', appState(a)],
    ])),
    section('PERMISSIONS', pairs(permissionRows(a))),
    section('DETAILS', pairs([
      ['SOURCE', a.get('SOURCE')],
      ['MD5', a.get('MD5')],
      ['PUBLISHER', a.get('TEMPLATE/PUBLISHER')],
      ['REGISTER TIME', dateTime(a.int('REGTIME'))],
      ['VERSION', a.get('VERSION')],
      ['DESCRIPTION', a.get('DESCRIPTION')],
      ['SIZE', size(a.int('SIZE'), 'M')],
      ['ORIGIN_ID', a.get('ORIGIN_ID')],
      ['FORMAT', a.get('FORMAT')],
    ])),
    section('IMPORT TEMPLATE', decoded.trimEnd()),
    section('MARKETPLACE APP TEMPLATE', templateText(a.all('TEMPLATE')[0])),
  ].join('\n').trimEnd();
}

export const onemarket: CommandDef = {
  name: 'onemarket',
  description: 'Manages OpenNebula marketplaces',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a marketplace from a template file (NAME, MARKET_MAD; http: BASE_URL, PUBLIC_DIR; one: ENDPOINT)',
      args: [{ name: 'FILE' }],
      examples: ['onemarket create http-market.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.markets.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists marketplaces',
      args: [],
      examples: ['onemarket list'],
      async run(ctx) {
        const xml = await ctx.one.markets.listXml();
        printList(ctx, marketColumns, ctx.one.markets.parseList(xml), xml, 'MARKETPLACE');
      },
    },
    showSubcommand('market', 'MARKETPLACEID', 'Shows a marketplace: driver, capacity, template, apps', markets, marketText, ['onemarket show 0']),
    updateSubcommand('market', 'MARKETPLACEID', markets, ['onemarket update web market.tmpl', 'onemarket update web --append more.tmpl']),
    renameSubcommand('market', 'MARKETPLACEID', markets, ['onemarket rename 100 web']),
    chgrpSubcommand('market', markets, ['onemarket chgrp web users']),
    chownSubcommand('market', markets, ['onemarket chown web alice']),
    chmodSubcommand('market', markets, ['onemarket chmod web 644']),
    deleteSubcommand('market', 'Deletes marketplaces (an http marketplace must hold no apps)', markets, ['onemarket delete web']),
    ...enableSubcommands('market', 'marketplaces', (one) => one.markets, 'onemarket'),
  ],
};

/** Downloads an app's SOURCE (http/https) into a local file, checking its MD5; no file is left on a failure. */
async function download(source: string, md5: string, path: string): Promise<number> {
  if (!/^https?:\/\//.test(source)) throw new CliError(`Cannot download ${source}: only http(s) sources can be downloaded`);
  const res = await fetch(source).catch((e: Error) => {
    throw new CliError(`Cannot download ${source}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  });
  if (!res.ok || !res.body) throw new CliError(`Cannot download ${source}: HTTP ${res.status} ${res.statusText}`);
  const hash = createHash('md5');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, createWriteStream(path, { flags: 'wx' }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(path, { force: true });
    throw new CliError(`Cannot download ${source} to ${path}: ${(e as Error).message}`);
  }
  const got = hash.digest('hex');
  if (md5 && got !== md5) {
    rmSync(path, { force: true });
    throw new CliError(`The download of ${source} has MD5 ${got}, the app says ${md5}`);
  }
  return bytes;
}

export const onemarketapp: CommandDef = {
  name: 'onemarketapp',
  description: 'Manages OpenNebula marketplace apps',
  subcommands: [
    {
      name: 'create',
      description: 'Creates an app in a marketplace by exporting an image (--image), or from a template file (NAME, ORIGIN_ID...)',
      args: [{ name: 'FILE', optional: true }],
      options: [
        { long: 'market', short: 'm', value: 'MARKETPLACE', description: 'The marketplace (id or name)' },
        { long: 'image', value: 'IMAGE', description: 'The image to export (id or name)' },
        { long: 'name', value: 'NAME', description: 'The app name (default: the image name)' },
        { long: 'description', value: 'TEXT', description: 'DESCRIPTION of the app' },
        { long: 'version', value: 'VERSION', description: 'VERSION of the app' },
      ],
      examples: ['onemarketapp create --market web --image ubuntu --version 1.0', 'onemarketapp create app.tmpl --market web'],
      async run(ctx, args) {
        const o = ctx.options;
        if (typeof o['market'] !== 'string') throw new CliError('--market is required');
        const market = await ctx.resolve('market', o['market']);
        let text = args['FILE'] ? readTemplateFile(arg(args, 'FILE')) : '';
        if (typeof o['image'] === 'string') {
          const imageId = await ctx.resolve('image', o['image']);
          const image = await ctx.one.images.info(imageId);
          const q = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
          const lines = [`ORIGIN_ID = ${imageId}`, `NAME = ${q(typeof o['name'] === 'string' ? o['name'] : image.name)}`, 'TYPE = IMAGE'];
          if (typeof o['description'] === 'string') lines.push(`DESCRIPTION = ${q(o['description'])}`);
          if (typeof o['version'] === 'string') lines.push(`VERSION = ${q(o['version'])}`);
          text = `${text}\n${lines.join('\n')}`;
        } else if (!args['FILE']) throw new CliError('Give a template file or --image');
        printId(ctx, await ctx.one.marketApps.allocate(text, market));
      },
    },
    {
      name: 'export',
      description: 'Imports an app into a datastore: an image downloaded from the marketplace, and a VM template when the app has one',
      args: [idArg('marketapp', 'APPID'), { name: 'NAME' }],
      options: [
        { long: 'datastore', short: 'd', value: 'DATASTORE', description: 'The image datastore (id or name)' },
        { long: 'vmname', value: 'NAME', description: 'The VM template name (default: NAME)' },
        { long: 'notemplate', description: 'Makes no VM template' },
        { long: 'wait', description: 'Waits for the download; a failed one leaves no image (and exits non-zero)' },
      ],
      examples: ['onemarketapp export ubuntu ubuntu-local --datastore default'],
      async run(ctx, args) {
        const id = await ctx.resolve('marketapp', arg(args, 'APPID'));
        if (typeof ctx.options['datastore'] !== 'string') throw new CliError('--datastore is required');
        const datastore = await ctx.resolve('datastore', ctx.options['datastore']);
        const r = await ctx.one.marketApps.export(id, {
          datastore,
          name: arg(args, 'NAME'),
          vmName: typeof ctx.options['vmname'] === 'string' ? ctx.options['vmname'] : undefined,
          noTemplate: ctx.options['notemplate'] === true,
          wait: ctx.options['wait'] === true,
        }).catch((e: Error) => {
          throw e instanceof Error && !('code' in e) ? new CliError(e.message) : e;
        });
        ctx.print('IMAGE');
        ctx.print(`    ID: ${r.image}`);
        ctx.print('VMTEMPLATE');
        ctx.print(r.template !== undefined ? `    ID: ${r.template}` : r.templateError ? `    Error: ${r.templateError}` : '    ID: -1');
      },
    },
    {
      name: 'download',
      description: 'Downloads an app to a local file (its MD5 checked)',
      args: [idArg('marketapp', 'APPID'), { name: 'PATH' }],
      examples: ['onemarketapp download ubuntu /tmp/ubuntu.qcow2'],
      async run(ctx, args) {
        const app = await ctx.one.marketApps.info(await ctx.resolve('marketapp', arg(args, 'APPID')));
        const bytes = await download(app.get('SOURCE'), app.get('MD5'), arg(args, 'PATH'));
        if (ctx.options.verbose === true) ctx.print(`${bytes} bytes written to ${arg(args, 'PATH')}`);
      },
    },
    {
      name: 'list',
      description: 'Lists marketplace apps',
      args: [],
      examples: ['onemarketapp list'],
      async run(ctx) {
        const xml = await ctx.one.marketApps.listXml(-2, -1, -1);
        printList(ctx, appColumns, ctx.one.marketApps.parseList(xml), xml, 'MARKETPLACEAPP');
      },
    },
    showSubcommand('marketapp', 'APPID', 'Shows a marketplace app: source, MD5, size, templates', apps, appText, ['onemarketapp show ubuntu']),
    updateSubcommand('marketapp', 'APPID', apps, ['onemarketapp update ubuntu app.tmpl']),
    renameSubcommand('marketapp', 'APPID', apps, ['onemarketapp rename 3 ubuntu-22']),
    chgrpSubcommand('marketapp', apps, ['onemarketapp chgrp ubuntu users']),
    chownSubcommand('marketapp', apps, ['onemarketapp chown ubuntu alice']),
    chmodSubcommand('marketapp', apps, ['onemarketapp chmod ubuntu 644']),
    deleteSubcommand('marketapp', 'Deletes marketplace apps (and their files in the marketplace)', apps, ['onemarketapp delete ubuntu']),
    ...enableSubcommands('marketapp', 'apps', (one) => one.marketApps, 'onemarketapp'),
    {
      name: 'lock',
      description: 'Locks apps (level use, manage, admin or all)',
      args: [rangeArg('marketapp')],
      options: [{ long: 'level', value: 'LEVEL', description: 'use (default), manage, admin or all' }],
      examples: ['onemarketapp lock ubuntu --level manage'],
      run: (ctx, args) => {
        const levels: Record<string, number> = { use: 1, manage: 2, admin: 3, all: 4 };
        const given = typeof ctx.options['level'] === 'string' ? ctx.options['level'].toLowerCase() : 'use';
        const level = levels[given];
        if (level === undefined) throw new CliError(`--level must be use, manage, admin or all, not "${given}"`);
        return eachId(ctx, 'marketapp', args['RANGE'], 'locked', (id) => ctx.one.marketApps.lock(id, level));
      },
    },
    {
      name: 'unlock',
      description: 'Unlocks apps',
      args: [rangeArg('marketapp')],
      examples: ['onemarketapp unlock ubuntu'],
      run: (ctx, args) => eachId(ctx, 'marketapp', args['RANGE'], 'unlocked', (id) => ctx.one.marketApps.unlock(id)),
    },
  ],
};

/**
 * Names and ranges to ids, with OpenNebula's rules: a word of digits is an id; any other word
 * is a name, which must match exactly one object the user can see; `1,3-5` is a list of ids
 * and ranges (names may be mixed in).
 */
import { childText, parseXmlTree } from '../common/xml-tree.js';
import type { Oca } from '../oca/index.js';
import { CliError, type ResourceKind } from './command.js';

/** How each kind is called in messages, and the member element of its pool listing. */
export const KIND_LABEL: Record<ResourceKind, string> = {
  vm: 'VM',
  host: 'host',
  cluster: 'cluster',
  datastore: 'datastore',
  image: 'image',
  template: 'template',
  vnet: 'virtual network',
  user: 'user',
  group: 'group',
  backupjob: 'backup job',
  vmgroup: 'VM group',
  vntemplate: 'network template',
  market: 'marketplace',
  marketapp: 'marketplace app',
  vrouter: 'virtual router',
  secgroup: 'security group',
  hook: 'hook',
  vdc: 'VDC',
  zone: 'zone',
};

/** The command that lists each kind (used by shell completion to offer names). */
export const KIND_COMMAND: Record<ResourceKind, string> = {
  vm: 'onevm',
  host: 'onehost',
  cluster: 'onecluster',
  datastore: 'onedatastore',
  image: 'oneimage',
  template: 'onetemplate',
  vnet: 'onevnet',
  user: 'oneuser',
  group: 'onegroup',
  backupjob: 'onebackupjob',
  vmgroup: 'onevmgroup',
  vntemplate: 'onevntemplate',
  market: 'onemarket',
  marketapp: 'onemarketapp',
  vrouter: 'onevrouter',
  secgroup: 'onesecgroup',
  hook: 'onehook',
  vdc: 'onevdc',
  zone: 'onezone',
};

/** An object as far as name resolution cares. */
export interface NamedObject {
  readonly id: number;
  readonly name: string;
}

const DIGITS = /^\d+$/;
const RANGE = /^(\d+)-(\d+)$/;

/** The id of `name` among `objects`: exactly one must carry it. */
export function idByName(kind: ResourceKind, name: string, objects: readonly NamedObject[]): number {
  const found = objects.filter((o) => o.name === name);
  if (found.length === 1) return found[0]!.id;
  const label = KIND_LABEL[kind];
  if (found.length === 0) throw new CliError(`${label} named "${name}" not found; use its id or \`list\` to see the names`);
  throw new CliError(`There are multiple ${label}s named "${name}" (ids ${found.map((o) => o.id).join(', ')}); use an id instead`);
}

/**
 * The words of a range argument: `1,3-5,web` → `['1', '3', '4', '5', 'web']`. A range must go
 * upwards; ids are not repeated.
 */
export function rangeWords(text: string | readonly string[]): string[] {
  const words = (typeof text === 'string' ? [text] : text).flatMap((t) => t.split(','));
  const out: string[] = [];
  for (const raw of words) {
    const w = raw.trim();
    if (w === '') throw new CliError(`Empty element in the list "${typeof text === 'string' ? text : text.join(' ')}"`);
    const m = RANGE.exec(w);
    if (m) {
      const from = Number(m[1]);
      const to = Number(m[2]);
      if (to < from) throw new CliError(`Range ${w} goes downwards; write ${to}-${from}`);
      for (let i = from; i <= to; i++) out.push(String(i));
    } else out.push(w);
  }
  return [...new Set(out)];
}

/** The pool listing of a kind, as every object the session can see. */
function listXml(one: Oca, kind: ResourceKind): Promise<string> {
  switch (kind) {
    case 'vm':
      return one.vms.listXml(-2, -1, -1, -1);
    case 'image':
      return one.images.listXml(-2, -1, -1);
    case 'template':
      return one.templates.listXml(-2, -1, -1);
    case 'vnet':
      return one.vnets.listXml(-2, -1, -1);
    case 'host':
      return one.hosts.listXml();
    case 'cluster':
      return one.clusters.listXml();
    case 'datastore':
      return one.datastores.listXml();
    case 'user':
      return one.users.listXml();
    case 'group':
      return one.groups.listXml();
    case 'backupjob':
      return one.backupJobs.listXml(-2, -1, -1);
    case 'vmgroup':
      return one.vmGroups.listXml(-2, -1, -1);
    case 'vntemplate':
      return one.vnTemplates.listXml(-2, -1, -1);
    case 'market':
      return one.markets.listXml();
    case 'zone':
      return one.zones.listXml();
    case 'marketapp':
      return one.marketApps.listXml(-2, -1, -1);
    case 'vrouter':
      return one.vrouters.listXml(-2, -1, -1);
    case 'secgroup':
      return one.secGroups.listXml(-2, -1, -1);
    case 'hook':
      return one.hooks.listXml(-2, -1, -1);
    case 'vdc':
      return one.vdcs.listXml();
  }
}

/** The ids and names of a pool listing's members. */
export function namedObjects(poolXml: string): NamedObject[] {
  return parseXmlTree(poolXml).children.map((n) => ({ id: Number(childText(n, 'ID')), name: childText(n, 'NAME') }));
}

/**
 * Resolves names against oned; each kind's pool is listed at most once per resolver (a command
 * naming several objects lists once), and never when only ids are given.
 */
export class Resolver {
  private readonly pools = new Map<ResourceKind, Promise<NamedObject[]>>();

  constructor(private readonly one: () => Oca) {}

  async resolve(kind: ResourceKind, idOrName: string): Promise<number> {
    const word = idOrName.trim();
    if (word === '') throw new CliError(`An empty ${KIND_LABEL[kind]} name or id`);
    if (DIGITS.test(word)) return Number(word);
    let pool = this.pools.get(kind);
    if (!pool) {
      pool = listXml(this.one(), kind).then(namedObjects);
      this.pools.set(kind, pool);
    }
    return idByName(kind, word, await pool);
  }

  async resolveRange(kind: ResourceKind, text: string | string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const w of rangeWords(text)) ids.push(await this.resolve(kind, w));
    return [...new Set(ids)];
  }
}

/**
 * OGF OCCI 1.2 over HTTP, under PREFIX (`/occi1.2`): the query interface (also at `/-/` and
 * `/.well-known/org/ogf/occi/-/`), the compute, network and storage collections and entities,
 * networkinterface and storagelink links, actions (`POST .../compute/1?action=stop`), and the
 * computes of an os_tpl or resource_tpl mixin. Renderings are negotiated: Accept picks the
 * answer's (text/plain, text/occi, application/occi+json, text/uri-list for collections),
 * Content-Type the request's.
 */
import type { Context, Hono } from 'hono';
import type { Oca } from '../../../oca/index.js';
import type { OcciEnv } from '../app.js';
import type { OcciConfig } from '../config.js';
import { badRequest, OcciError } from '../errors.js';
import {
  attachNetwork,
  attachStorage,
  createCompute,
  createNetwork,
  createStorage,
  getCompute,
  getNetwork,
  getStorage,
  isIpv4,
  listComputes,
  listNetworks,
  listOsTemplates,
  listStorage,
  type ComputeSpec,
} from '../resources.js';
import { pathId } from '../xml-api/routes.js';
import { computeEntity, computeLinks, networkEntity, storageEntity, type Entity, type LinkEntity } from './entities.js';
import { ACTIONS, COMPUTE_ACTIONS, id, KINDS, MIXINS, OS_TPL, PREFIX, queryInterface, RESOURCE_TPL, STORAGE_ACTIONS, type Category } from './model.js';
import { parseJson, parseText, textPlainPairs, type OcciRequest } from './parse.js';
import { categoryText, entityJson, entityText, queryJson, textOcciHeaders, textPlain } from './render.js';

type C = Context<OcciEnv>;
type Rendering = 'text/plain' | 'text/occi' | 'json' | 'uri-list';

const JSON_TYPE = 'application/occi+json';

/** The rendering the client accepts (first supported in its Accept; text/plain by default). */
export function negotiate(accept: string | undefined, collection: boolean): Rendering {
  if (!accept || accept.trim() === '') return 'text/plain';
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  for (const t of types) {
    if (t === 'application/occi+json' || t === 'application/json') return 'json';
    if (t === 'text/occi') return 'text/occi';
    if (t === 'text/uri-list' && collection) return 'uri-list';
    if (t === 'text/plain' || t === '*/*' || t === 'text/*') return 'text/plain';
  }
  throw new OcciError(406, `Cannot answer in ${accept}: text/plain, text/occi, ${JSON_TYPE}${collection ? ' or text/uri-list' : ''}`);
}

/** The request in whichever rendering its Content-Type says. */
async function readRequest(c: C): Promise<OcciRequest> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = await c.req.text();
  if (type === 'application/occi+json' || type === 'application/json') return parseJson(body);
  if (type === 'text/occi' || (type === '' && body.trim() === '')) {
    const names = ['category', 'x-occi-attribute', 'link'];
    return parseText(names.flatMap((n) => (c.req.header(n) ? [[n, c.req.header(n)!] as [string, string]] : [])));
  }
  if (type === 'text/plain' || type === '') return parseText(textPlainPairs(body));
  throw new OcciError(415, `Unsupported Content-Type ${type}: send text/plain, text/occi or ${JSON_TYPE}`);
}

function renderEntity(c: C, e: Entity, status: 200 | 201 = 200): Response {
  const r = negotiate(c.req.header('accept'), false);
  const base = c.get('base');
  if (status === 201) c.header('Location', base + e.location);
  if (r === 'json') return c.body(JSON.stringify(entityJson(e, base), null, 1), status, { 'Content-Type': JSON_TYPE });
  const text = entityText(e, base);
  if (r === 'text/occi') {
    for (const [k, v] of Object.entries(textOcciHeaders(text))) c.header(k, v);
    return c.body('OK\n', status, { 'Content-Type': 'text/occi' });
  }
  return c.body(textPlain(text), status, { 'Content-Type': 'text/plain; charset=utf-8' });
}

function renderCollection(c: C, entities: readonly Entity[], key: 'resources' | 'links'): Response {
  const r = negotiate(c.req.header('accept'), true);
  const base = c.get('base');
  const urls = entities.map((e) => base + e.location);
  if (r === 'json') return c.body(JSON.stringify({ [key]: entities.map((e) => entityJson(e, base)) }, null, 1), 200, { 'Content-Type': JSON_TYPE });
  if (r === 'uri-list') return c.body(urls.map((u) => `${u}\n`).join(''), 200, { 'Content-Type': 'text/uri-list' });
  if (r === 'text/occi') {
    if (urls.length) c.header('X-OCCI-Location', urls.join(', '));
    return c.body('OK\n', 200, { 'Content-Type': 'text/occi' });
  }
  return c.body(urls.map((u) => `X-OCCI-Location: ${u}\n`).join(''), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
}

function renderOk(c: C): Response {
  return c.body('OK\n', 200, { 'Content-Type': 'text/plain' });
}

async function categories(c: C, config: OcciConfig): Promise<Category[]> {
  return queryInterface(await listOsTemplates(c.get('one')), config.instance_types);
}

function renderQuery(c: C, all: Category[]): Response {
  const r = negotiate(c.req.header('accept'), false);
  const base = c.get('base');
  if (r === 'json') return c.body(JSON.stringify(queryJson(all, base), null, 1), 200, { 'Content-Type': JSON_TYPE });
  const lines = all.map((x) => categoryText(x, base, true));
  if (r === 'text/occi') {
    c.header('Category', lines.join(', '));
    return c.body('OK\n', 200, { 'Content-Type': 'text/occi' });
  }
  return c.body(lines.map((l) => `Category: ${l}\n`).join(''), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
}

/** The path of a location (absolute URLs too) and the id of `kind` in it. */
export function locationId(location: string, kind: string): number {
  let path = location.trim();
  if (/^https?:\/\//.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      throw badRequest(`Not a location: "${location}"`);
    }
  }
  const m = new RegExp(`^(?:${PREFIX})?/${kind}/(\\d{1,9})/?$`).exec(path);
  if (!m) throw badRequest(`"${location}" is not the location of a ${kind}`);
  return Number(m[1]);
}

function numberAttr(req: OcciRequest, name: string): number | undefined {
  const v = req.attributes.get(name);
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (typeof v === 'boolean' || !Number.isFinite(n) || n <= 0) throw badRequest(`${name} must be a positive number, not ${JSON.stringify(v)}`);
  return n;
}

function stringAttr(req: OcciRequest, name: string): string | undefined {
  const v = req.attributes.get(name);
  return v === undefined ? undefined : String(v);
}

function expectKind(req: OcciRequest, kind: Category): void {
  if (req.kind === undefined) throw badRequest(`Name the kind: ${id(kind)}`);
  if (req.kind !== id(kind)) throw badRequest(`This collection holds ${id(kind)}, not ${req.kind}`);
}

/** A compute request as the spec of resources.ts. */
export function computeSpec(req: OcciRequest, config: OcciConfig): ComputeSpec {
  expectKind(req, KINDS.compute);
  const spec: ComputeSpec = { disks: [], nics: [], context: [] };
  for (const m of req.mixins) {
    if (m.startsWith(OS_TPL)) {
      const t = /^tpl_(\d{1,9})$/.exec(m.slice(OS_TPL.length));
      if (!t) throw badRequest(`Unknown os_tpl mixin ${m}`);
      if (spec.templateId !== undefined) throw badRequest('Give one os_tpl mixin');
      spec.templateId = Number(t[1]);
    } else if (m.startsWith(RESOURCE_TPL)) {
      const type = config.instance_types.find((x) => x.name === m.slice(RESOURCE_TPL.length));
      if (!type) throw badRequest(`Unknown resource_tpl mixin ${m} (known: ${config.instance_types.map((x) => RESOURCE_TPL + x.name).join(', ')})`);
      spec.instanceType = type;
    } else if (m !== id(MIXINS.os_tpl) && m !== id(MIXINS.resource_tpl)) throw badRequest(`Mixin ${m} does not apply to a compute`);
  }
  spec.name = stringAttr(req, 'occi.core.title');
  spec.description = stringAttr(req, 'occi.core.summary');
  const cores = numberAttr(req, 'occi.compute.cores');
  const share = numberAttr(req, 'occi.compute.share');
  const memory = numberAttr(req, 'occi.compute.memory');
  if (cores !== undefined && !Number.isInteger(cores)) throw badRequest('occi.compute.cores must be a whole number');
  if (cores !== undefined) spec.vcpu = cores;
  if (share !== undefined || cores !== undefined) spec.cpu = share ?? cores;
  if (memory !== undefined) spec.memory = Math.max(1, Math.round(memory * 1024));
  for (const l of req.links) {
    const isNic = l.kind === id(KINDS.networkinterface) || (l.kind === undefined && /\/network\/\d+\/?$/.test(l.target));
    const isDisk = l.kind === id(KINDS.storagelink) || (l.kind === undefined && /\/storage\/\d+\/?$/.test(l.target));
    if (isNic) {
      const ip = l.attributes.get('occi.networkinterface.address');
      if (ip !== undefined && !isIpv4(String(ip))) throw badRequest(`occi.networkinterface.address must be an IPv4 address, not ${JSON.stringify(ip)}`);
      spec.nics.push({ networkId: locationId(l.target, 'network'), ip: ip === undefined ? undefined : String(ip) });
    } else if (isDisk) {
      const dev = l.attributes.get('occi.storagelink.deviceid');
      spec.disks.push({ imageId: locationId(l.target, 'storage'), target: dev === undefined ? undefined : String(dev).replace(/^\/dev\//, '') });
    } else throw badRequest(`A compute links to networks (networkinterface) and storage (storagelink), not ${l.kind ?? l.target}`);
  }
  return spec;
}

/** The action a request invokes: `?action=term` and/or an action category, of the kind's actions. */
function requestedAction(c: C, req: OcciRequest, allowed: readonly Category[]): { action: Category; method?: string } {
  const term = c.req.query('action');
  const byTerm = term === undefined ? undefined : allowed.find((a) => a.term === term);
  if (term !== undefined && !byTerm) throw badRequest(`Unknown action "${term}" (one of ${allowed.map((a) => a.term).join(', ')})`);
  const byBody = req.action === undefined ? undefined : allowed.find((a) => id(a) === req.action);
  if (req.action !== undefined && !byBody) throw badRequest(`Unknown action ${req.action}`);
  if (byTerm && byBody && byTerm !== byBody) throw badRequest(`?action=${term} and the action ${req.action} of the body differ`);
  const action = byTerm ?? byBody;
  if (!action) throw badRequest('Name the action: ?action=TERM');
  const method = req.attributes.get('method');
  return { action, method: method === undefined ? undefined : String(method) };
}

async function computeAction(one: Oca, vmId: number, action: Category, method: string | undefined): Promise<void> {
  const vm = await getCompute(one, vmId);
  if (action === ACTIONS.start) await one.vms.action(vm.state === 'HOLD' ? 'release' : 'resume', vmId);
  else if (action === ACTIONS.stop) await one.vms.action(method === 'poweroff' ? 'poweroff-hard' : 'poweroff', vmId);
  else if (action === ACTIONS.restart) await one.vms.action(method === 'cold' ? 'reboot-hard' : 'reboot', vmId);
  else await one.vms.action('suspend', vmId);
}

/** `compute_<vm>_nic_<n>` / `compute_<vm>_disk_<n>`. */
function linkIds(c: C, what: 'nic' | 'disk'): { vm: number; item: number } {
  const m = new RegExp(`^compute_(\\d{1,9})_${what}_(\\d{1,9})$`).exec(c.req.param('lid') ?? '');
  if (!m) throw new OcciError(404, `No ${what === 'nic' ? 'networkinterface' : 'storagelink'} "${c.req.param('lid')}"`);
  return { vm: Number(m[1]), item: Number(m[2]) };
}

async function findLink(one: Oca, vm: number, location: string): Promise<LinkEntity> {
  const l = computeLinks(await getCompute(one, vm)).find((x) => x.location === location);
  if (!l) throw new OcciError(404, `No link ${location}`);
  return l;
}

export function ogfApi(app: Hono<OcciEnv>, config: OcciConfig): void {
  const types = config.instance_types;
  for (const path of ['/-/', '/.well-known/org/ogf/occi/-/', `${PREFIX}/-/`]) app.get(path, async (c) => renderQuery(c, await categories(c, config)));

  const collection = (kind: string) => [`${PREFIX}/${kind}/`, `${PREFIX}/${kind}`];

  // ---- compute ----
  for (const p of collection('compute')) {
    app.get(p, async (c) => renderCollection(c, (await listComputes(c.get('one'))).map((x) => computeEntity(x, types)), 'resources'));
    app.post(p, async (c) => {
      const one = c.get('one');
      const vmId = await createCompute(one, computeSpec(await readRequest(c), config));
      return renderEntity(c, computeEntity(await getCompute(one, vmId), types), 201);
    });
  }
  app.get(`${PREFIX}/compute/:id`, async (c) => renderEntity(c, computeEntity(await getCompute(c.get('one'), pathId(c, 'compute')), types)));
  app.post(`${PREFIX}/compute/:id`, async (c) => {
    const one = c.get('one');
    const vmId = pathId(c, 'compute');
    const { action, method } = requestedAction(c, await readRequest(c), COMPUTE_ACTIONS);
    await computeAction(one, vmId, action, method);
    return renderEntity(c, computeEntity(await getCompute(one, vmId), types));
  });
  app.delete(`${PREFIX}/compute/:id`, async (c) => {
    const one = c.get('one');
    const vmId = pathId(c, 'compute');
    await getCompute(one, vmId);
    await one.vms.action('terminate-hard', vmId);
    return renderOk(c);
  });

  // ---- the entities of each mixin ----
  app.get(`${PREFIX}/os_tpl/`, async (c) => {
    const all = (await listComputes(c.get('one'))).filter((x) => x.templateId !== undefined);
    return renderCollection(c, all.map((x) => computeEntity(x, types)), 'resources');
  });
  app.get(`${PREFIX}/resource_tpl/`, async (c) => {
    const all = (await listComputes(c.get('one'))).filter((x) => types.some((t) => t.name === x.instanceType));
    return renderCollection(c, all.map((x) => computeEntity(x, types)), 'resources');
  });
  app.get(`${PREFIX}/ipnetwork/`, async (c) => renderCollection(c, (await listNetworks(c.get('one'))).filter((n) => n.address).map(networkEntity), 'resources'));
  app.get(`${PREFIX}/ipnetworkinterface/`, async (c) =>
    renderCollection(c, (await listComputes(c.get('one'))).flatMap(computeLinks).filter((l) => l.mixins.includes(MIXINS.ipnetworkinterface)), 'links'),
  );
  app.get(`${PREFIX}/os_tpl/:term/`, async (c) => {
    const t = /^tpl_(\d+)$/.exec(c.req.param('term'));
    const all = (await listComputes(c.get('one'))).filter((x) => t && x.templateId === Number(t[1]));
    return renderCollection(c, all.map((x) => computeEntity(x, types)), 'resources');
  });
  app.get(`${PREFIX}/resource_tpl/:term/`, async (c) => {
    const all = (await listComputes(c.get('one'))).filter((x) => x.instanceType === c.req.param('term'));
    return renderCollection(c, all.map((x) => computeEntity(x, types)), 'resources');
  });

  // ---- network ----
  for (const p of collection('network')) {
    app.get(p, async (c) => renderCollection(c, (await listNetworks(c.get('one'))).map(networkEntity), 'resources'));
    app.post(p, async (c) => {
      const one = c.get('one');
      const req = await readRequest(c);
      expectKind(req, KINDS.network);
      for (const m of req.mixins) if (m !== id(MIXINS.ipnetwork)) throw badRequest(`Mixin ${m} does not apply to a network`);
      const cidr = stringAttr(req, 'occi.network.address');
      let address: string | undefined;
      let size: number | undefined;
      if (cidr !== undefined) {
        const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
        if (!m || !isIpv4(m[1]!) || Number(m[2]) < 16 || Number(m[2]) > 30) throw badRequest(`occi.network.address must be an IPv4 CIDR block from /16 to /30, not "${cidr}"`);
        const parts = m[1]!.split('.').map(Number);
        const prefix = Number(m[2]);
        const ip = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
        const net = ((ip >>> (32 - prefix)) << (32 - prefix)) >>> 0;
        address = [24, 16, 8, 0].map((s) => ((net + 1) >>> s) & 255).join('.');
        size = 2 ** (32 - prefix) - 2;
      }
      const vlan = req.attributes.get('occi.network.vlan');
      const netId = await createNetwork(
        one,
        {
          name: stringAttr(req, 'occi.core.title') ?? '',
          description: stringAttr(req, 'occi.core.summary'),
          address,
          size,
          gateway: stringAttr(req, 'occi.network.gateway'),
          vlanId: vlan === undefined ? undefined : String(vlan),
        },
        config,
      );
      return renderEntity(c, networkEntity(await getNetwork(one, netId)), 201);
    });
  }
  app.get(`${PREFIX}/network/:id`, async (c) => renderEntity(c, networkEntity(await getNetwork(c.get('one'), pathId(c, 'network')))));
  app.delete(`${PREFIX}/network/:id`, async (c) => {
    await c.get('one').vnets.delete(pathId(c, 'network'));
    return renderOk(c);
  });

  // ---- storage ----
  for (const p of collection('storage')) {
    app.get(p, async (c) => renderCollection(c, (await listStorage(c.get('one'))).map(storageEntity), 'resources'));
    app.post(p, async (c) => {
      const one = c.get('one');
      const req = await readRequest(c);
      expectKind(req, KINDS.storage);
      if (req.mixins.length) throw badRequest(`Mixin ${req.mixins[0]} does not apply to a storage`);
      const gib = numberAttr(req, 'occi.storage.size');
      if (gib === undefined) throw badRequest('occi.storage.size (GiB) is required');
      const imgId = await createStorage(one, { name: stringAttr(req, 'occi.core.title') ?? '', description: stringAttr(req, 'occi.core.summary'), type: 'DATABLOCK', size: Math.max(1, Math.round(gib * 1024)) }, config);
      return renderEntity(c, storageEntity(await getStorage(one, imgId)), 201);
    });
  }
  app.get(`${PREFIX}/storage/:id`, async (c) => renderEntity(c, storageEntity(await getStorage(c.get('one'), pathId(c, 'storage')))));
  app.post(`${PREFIX}/storage/:id`, async (c) => {
    const one = c.get('one');
    const imgId = pathId(c, 'storage');
    const { action } = requestedAction(c, await readRequest(c), STORAGE_ACTIONS);
    await one.images.enable(imgId, action === ACTIONS.online);
    return renderEntity(c, storageEntity(await getStorage(one, imgId)));
  });
  app.delete(`${PREFIX}/storage/:id`, async (c) => {
    await c.get('one').images.delete(pathId(c, 'storage'));
    return renderOk(c);
  });

  // ---- links ----
  for (const [kind, what] of [
    ['networkinterface', 'nic'],
    ['storagelink', 'disk'],
  ] as const) {
    const linkKind = KINDS[kind];
    for (const p of collection(kind)) {
      app.get(p, async (c) => renderCollection(c, (await listComputes(c.get('one'))).flatMap(computeLinks).filter((l) => l.kind === linkKind), 'links'));
      app.post(p, async (c) => {
        const one = c.get('one');
        const req = await readRequest(c);
        expectKind(req, linkKind);
        const source = stringAttr(req, 'occi.core.source');
        const target = stringAttr(req, 'occi.core.target');
        if (!source || !target) throw badRequest('A link needs occi.core.source (a compute) and occi.core.target');
        const vmId = locationId(source, 'compute');
        const before = await getCompute(one, vmId);
        const existing = new Set((what === 'nic' ? before.nics : before.disks).map((x) => x.id));
        if (what === 'nic') {
          const ip = stringAttr(req, 'occi.networkinterface.address');
          if (ip !== undefined && !isIpv4(ip)) throw badRequest(`occi.networkinterface.address must be an IPv4 address, not "${ip}"`);
          await attachNetwork(one, vmId, { networkId: locationId(target, 'network'), ip });
        } else {
          const dev = stringAttr(req, 'occi.storagelink.deviceid');
          await attachStorage(one, vmId, { imageId: locationId(target, 'storage'), target: dev?.replace(/^\/dev\//, '') });
        }
        const after = await getCompute(one, vmId);
        const added = (what === 'nic' ? after.nics : after.disks).find((x) => !existing.has(x.id));
        if (!added) throw new OcciError(500, `oned accepted the ${kind} but compute ${vmId} does not show it`);
        const link = computeLinks(after).find((l) => l.kind === linkKind && l.location.endsWith(`_${what}_${added.id}`));
        if (!link) throw new OcciError(500, `The new ${kind} of compute ${vmId} is not found`);
        return renderEntity(c, link, 201);
      });
    }
    app.get(`${PREFIX}/${kind}/:lid`, async (c) => {
      const { vm } = linkIds(c, what);
      return renderEntity(c, await findLink(c.get('one'), vm, new URL(c.req.url).pathname.replace(/\/$/, '')));
    });
    app.delete(`${PREFIX}/${kind}/:lid`, async (c) => {
      const one = c.get('one');
      const { vm, item } = linkIds(c, what);
      await findLink(one, vm, `${PREFIX}/${kind}/${c.req.param('lid')}`);
      if (what === 'nic') await one.vms.detachNic(vm, item);
      else await one.vms.detachDisk(vm, item);
      return renderOk(c);
    });
  }

  for (const p of [`${PREFIX}/compute/:id`, `${PREFIX}/network/:id`, `${PREFIX}/storage/:id`]) {
    app.put(p, () => {
      throw new OcciError(405, 'Entities are created by POST to their collection and changed by actions; PUT is not supported');
    });
  }
}

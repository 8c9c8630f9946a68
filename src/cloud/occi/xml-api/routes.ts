/**
 * OpenNebula's own OCCI API (spec §7.2), XML in and out: `/`, `/compute`, `/compute/{id}`,
 * `/compute/{id}/action`, `/network`, `/network/{id}`, `/storage`, `/storage/{id}`,
 * `/storage/{id}/action`, `/user`, `/user/{id}`, `/instance_type`, `/instance_type/{id}`.
 * Collections list `href`s (`?verbose=true`: whole elements); POST answers 201 with the new
 * element, PUT and actions 202 with the changed one, DELETE 204.
 */
import type { Context, Hono } from 'hono';
import type { Oca } from '../../../oca/index.js';
import type { OcciConfig } from '../config.js';
import { badRequest, OcciError } from '../errors.js';
import {
  attachStorage,
  createCompute,
  createNetwork,
  createStorage,
  getCompute,
  getNetwork,
  getStorage,
  listComputes,
  listNetworks,
  listStorage,
  removeUpload,
  undoing,
} from '../resources.js';
import { saveUpload } from '../uploads.js';
import type { OcciEnv } from '../app.js';
import {
  attachDiskParams,
  detachDiskParams,
  parseAction,
  parseCompute,
  parseComputeUpdate,
  parseNetwork,
  parseNetworkUpdate,
  parseStorage,
  parseStorageUpdate,
} from './parse.js';
import { collectionXml, computeXml, instanceTypeXml, networkXml, rootXml, storageXml, userXml } from './render.js';

type C = Context<OcciEnv>;

/** Bytes of a multipart upload (held in memory while read). */
export const UPLOAD_LIMIT = 1024 ** 3;

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };

function xml(c: C, body: string, status: 200 | 201 | 202 = 200): Response {
  return c.body(`<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`, status, XML);
}

/** The `{id}` of the path: a number, else 404 naming what was asked for. */
export function pathId(c: C, kind: string): number {
  const raw = c.req.param('id') ?? '';
  if (!/^\d{1,9}$/.test(raw)) throw new OcciError(404, `No ${kind} "${raw}": ids are numbers`);
  return Number(raw);
}

const verbose = (c: C) => ['true', 'yes', '1'].includes((c.req.query('verbose') ?? '').toLowerCase());

/** One `one.vm.action` (or the recover that RESUBMIT is). */
async function vmAction(one: Oca, id: number, action: string): Promise<void> {
  if (action === 'recover-recreate') await one.vms.recover(id, 4);
  else await one.vms.action(action, id);
}

export function xmlApi(app: Hono<OcciEnv>, config: OcciConfig): void {
  const base = (c: C) => c.get('base');

  app.get('/', (c) => xml(c, rootXml(base(c))));

  // ---- compute ----
  app.get('/compute', async (c) => {
    const all = await listComputes(c.get('one'));
    return xml(c, collectionXml('COMPUTE', base(c), all, verbose(c) ? (vm) => computeXml(base(c), vm) : undefined));
  });
  app.post('/compute', async (c) => {
    const one = c.get('one');
    const id = await createCompute(one, parseCompute(await c.req.text(), config.instance_types));
    return xml(c, computeXml(base(c), await getCompute(one, id)), 201);
  });
  app.get('/compute/:id', async (c) => xml(c, computeXml(base(c), await getCompute(c.get('one'), pathId(c, 'compute')))));
  app.put('/compute/:id', async (c) => {
    const one = c.get('one');
    const id = pathId(c, 'compute');
    const update = parseComputeUpdate(await c.req.text());
    await getCompute(one, id);
    for (const s of update.saveAs) await one.vms.diskSaveas(id, s.diskId, s.name);
    if (update.action) await vmAction(one, id, update.action);
    return xml(c, computeXml(base(c), await getCompute(one, id)), 202);
  });
  app.delete('/compute/:id', async (c) => {
    const one = c.get('one');
    const id = pathId(c, 'compute');
    await getCompute(one, id);
    await one.vms.action('terminate-hard', id);
    return c.body(null, 204);
  });
  app.post('/compute/:id/action', async (c) => {
    const one = c.get('one');
    const id = pathId(c, 'compute');
    const action = parseAction(await c.req.text(), ['attachdisk', 'detachdisk']);
    if (action.perform === 'attachdisk') {
      await attachStorage(one, id, attachDiskParams(action.params));
    } else await one.vms.detachDisk(id, detachDiskParams(action.params));
    return xml(c, computeXml(base(c), await getCompute(one, id)), 202);
  });

  // ---- network ----
  app.get('/network', async (c) => {
    const all = await listNetworks(c.get('one'));
    return xml(c, collectionXml('NETWORK', base(c), all, verbose(c) ? (n) => networkXml(base(c), n) : undefined));
  });
  app.post('/network', async (c) => {
    const one = c.get('one');
    const id = await createNetwork(one, parseNetwork(await c.req.text()), config);
    return xml(c, networkXml(base(c), await getNetwork(one, id)), 201);
  });
  app.get('/network/:id', async (c) => xml(c, networkXml(base(c), await getNetwork(c.get('one'), pathId(c, 'network')))));
  app.put('/network/:id', async (c) => {
    const one = c.get('one');
    const id = pathId(c, 'network');
    const update = parseNetworkUpdate(await c.req.text());
    await one.vnets.publish(id, update.public);
    return xml(c, networkXml(base(c), await getNetwork(one, id)), 202);
  });
  app.delete('/network/:id', async (c) => {
    await c.get('one').vnets.delete(pathId(c, 'network'));
    return c.body(null, 204);
  });

  // ---- storage ----
  app.get('/storage', async (c) => {
    const all = await listStorage(c.get('one'));
    return xml(c, collectionXml('STORAGE', base(c), all, verbose(c) ? (s) => storageXml(base(c), s) : undefined));
  });
  app.post('/storage', async (c) => {
    const one = c.get('one');
    const type = c.req.header('content-type') ?? '';
    let id: number;
    if (/^multipart\/form-data/i.test(type)) {
      // the multipart reader holds the body in memory: larger images are registered by PATH
      if (Number(c.req.header('content-length') ?? 0) > UPLOAD_LIMIT) throw new OcciError(413, `Uploads are limited to ${UPLOAD_LIMIT / 1024 ** 2} MB: put larger images where the datastore can read them and give their PATH`);
      let form: Record<string, string | File | (string | File)[]>;
      try {
        form = await c.req.parseBody();
      } catch {
        throw badRequest('The multipart body could not be read');
      }
      const occixml = form.occixml;
      const file = form.file;
      const text = occixml instanceof Blob ? await occixml.text() : typeof occixml === 'string' ? occixml : undefined;
      if (text === undefined) throw badRequest('The multipart body needs an "occixml" part with the STORAGE description');
      const spec = parseStorage(text);
      if (file !== undefined && !(file instanceof Blob)) throw badRequest('The "file" part must be a file');
      if (!file && !spec.path && spec.size === undefined) throw badRequest('Send the image as the "file" part, or give a PATH or a SIZE');
      if (file) {
        if (spec.path) throw badRequest('Give either a file or a PATH, not both');
        const path = await saveUpload(config.tmpdir, file);
        id = await undoing(() => createStorage(one, { ...spec, path }, config, path), () => removeUpload(path));
      } else id = await createStorage(one, spec, config);
    } else id = await createStorage(one, parseStorage(await c.req.text()), config);
    return xml(c, storageXml(base(c), await getStorage(one, id)), 201);
  });
  app.get('/storage/:id', async (c) => xml(c, storageXml(base(c), await getStorage(c.get('one'), pathId(c, 'storage')))));
  app.put('/storage/:id', async (c) => {
    const one = c.get('one');
    const id = pathId(c, 'storage');
    const update = parseStorageUpdate(await c.req.text());
    await getStorage(one, id);
    if (update.persistent !== undefined) await one.images.persistent(id, update.persistent);
    if (update.public !== undefined) await one.images.publish(id, update.public);
    return xml(c, storageXml(base(c), await getStorage(one, id)), 202);
  });
  app.delete('/storage/:id', async (c) => {
    await c.get('one').images.delete(pathId(c, 'storage'));
    return c.body(null, 204);
  });
  app.post('/storage/:id/action', async (c) => {
    const one = c.get('one');
    const id = pathId(c, 'storage');
    const action = parseAction(await c.req.text(), ['clone']);
    const name = action.params.children.find((p) => p.name === 'NAME')?.text.trim();
    if (!name) throw badRequest('clone needs PARAMS/NAME, the name of the new image');
    const newId = await one.images.clone(id, name);
    return xml(c, storageXml(base(c), await getStorage(one, newId)), 201);
  });

  // ---- users and instance types ----
  app.get('/user', async (c) => {
    const one = c.get('one');
    const users = one.users.parseList(await one.users.listXml());
    return xml(c, collectionXml('USER', base(c), users, verbose(c) ? (u) => userXml(base(c), u) : undefined));
  });
  app.get('/user/:id', async (c) => xml(c, userXml(base(c), await c.get('one').users.info(pathId(c, 'user')))));
  app.get('/instance_type', (c) => {
    const types = config.instance_types.map((t) => ({ ...t, id: t.name }));
    return xml(c, collectionXml('INSTANCE_TYPE', base(c), types, verbose(c) ? (t) => instanceTypeXml(base(c), t) : undefined));
  });
  app.get('/instance_type/:name', (c) => {
    const t = config.instance_types.find((x) => x.name === c.req.param('name'));
    if (!t) throw new OcciError(404, `No instance type "${c.req.param('name')}" (known: ${config.instance_types.map((x) => x.name).join(', ')})`);
    return xml(c, instanceTypeXml(base(c), t));
  });
}

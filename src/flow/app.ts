/**
 * OneFlow's REST API over Hono: `/service_template` (list, create, show, update, delete,
 * actions instantiate/clone/chown/chgrp/chmod/rename/update) and `/service` (list, show,
 * delete, actions, scale, role actions). Every request carries an OpenNebula user's credentials
 * by HTTP basic auth and everything is done in oned as that user.
 */
import { Hono, type Context } from 'hono';
import { permissionBits, type Oca } from '../oca/index.js';
import { changeService, instantiate, recover, scale, serviceVms, undeploy } from './actions.js';
import { basicSession, type ClientCache } from './auth.js';
import type { ServiceEngine } from './engine.js';
import { HttpError, httpErrorOf } from './errors.js';
import { nodesOf, SERVICE_DOCUMENT, TEMPLATE_DOCUMENT, type ServiceBody, type TemplateBody } from './model.js';
import { createDoc, docJson, listDocs, poolJson, readDoc, writeBody } from './store.js';
import { templateOnly, validateTemplate, ValidationError } from './validate.js';

type Env = { Variables: { one: Oca } };

/** VM actions a role's VMs take through `/service/:id/role/:role/action` (OneFlow's list). */
const ROLE_VM_ACTIONS = new Set(['terminate', 'terminate-hard', 'undeploy', 'undeploy-hard', 'hold', 'release', 'stop', 'suspend', 'resume', 'reboot', 'reboot-hard', 'poweroff', 'poweroff-hard']);

function id(c: Context): number {
  const raw = c.req.param('id') ?? '';
  if (!/^\d+$/.test(raw)) throw new HttpError(400, `Not an id: "${raw}"`);
  return Number(raw);
}

async function json(c: Context): Promise<Record<string, unknown>> {
  let v: unknown;
  try {
    v = await c.req.json();
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'The request body must be a JSON object');
  return v as Record<string, unknown>;
}

/** `{ action: { perform, params } }`. */
async function actionOf(c: Context): Promise<{ perform: string; params: Record<string, unknown> }> {
  const a = (await json(c)).action as { perform?: unknown; params?: unknown } | undefined;
  if (!a || typeof a.perform !== 'string') throw new HttpError(400, 'Expected { "action": { "perform": NAME, "params": {...} } }');
  const params = a.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new HttpError(400, 'action.params must be an object');
  return { perform: a.perform, params: params as Record<string, unknown> };
}

function checked(body: unknown): TemplateBody {
  try {
    return templateOnly(validateTemplate(body));
  } catch (err) {
    if (err instanceof ValidationError) throw new HttpError(400, err.message);
    throw err;
  }
}

function int(v: unknown, what: string): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new HttpError(400, `${what} must be given as a whole number`);
  return n;
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new HttpError(400, `${what} must be given`);
  return v;
}

function octet(v: unknown): string {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^[0-7]{3}$/.test(s)) throw new HttpError(400, `octet must be three octal digits such as "640", not ${JSON.stringify(v)}`);
  return s;
}

/**
 * chmod with the ADMIN bits that stay as they are left out (-1): oned asks for ADMIN rights
 * only of a request that changes them, so an owner may share with the group.
 */
async function chmodDoc(one: Oca, docId: number, octal: string): Promise<void> {
  const current = (await one.documents.info(docId)).permissions;
  const now = permissionBits(current);
  const bits = permissionBits(octal).map((b, i) => (i % 3 === 2 && b === now[i] ? -1 : b));
  await one.client.call('one.document.chmod', docId, ...bits);
}

/** Owner, group, permissions and name changes, shared by templates and services. */
async function ownedAction(one: Oca, docId: number, perform: string, p: Record<string, unknown>): Promise<boolean> {
  switch (perform) {
    case 'chown':
      await one.documents.chown(docId, int(p.owner_id, 'owner_id'), p.group_id === undefined ? -1 : int(p.group_id, 'group_id'));
      return true;
    case 'chgrp':
      await one.documents.chown(docId, -1, int(p.group_id, 'group_id'));
      return true;
    case 'chmod':
      await chmodDoc(one, docId, octet(p.octet));
      return true;
    case 'rename':
      await one.documents.rename(docId, text(p.name, 'name'));
      return true;
    default:
      return false;
  }
}

/** The service with each node's VM as oned sees it now (state, host...), for `show`. */
async function withVmInfo(one: Oca, body: ServiceBody): Promise<ServiceBody> {
  const ids = serviceVms(body);
  if (!ids.length) return body;
  try {
    const vms = new Map((await one.vms.infoSet(ids, false)).map((v) => [v.id, v]));
    for (const r of body.roles) {
      for (const n of nodesOf(r)) {
        const vm = vms.get(n.deploy_id);
        if (vm) n.vm_info = { VM: { ID: String(vm.id), NAME: vm.name, UID: String(vm.uid), GID: String(vm.gid), UNAME: vm.uname, GNAME: vm.gname, STATE: String(vm.state), LCM_STATE: String(vm.lcmState), HOSTNAME: vm.hostname, STIME: vm.get('STIME') } };
      }
    }
  } catch {
    /* the stored names are shown */
  }
  return body;
}

export function buildApp(deps: { clients: ClientCache; engine: ServiceEngine }): Hono<Env> {
  const { clients, engine } = deps;
  const app = new Hono<Env>();

  app.onError((err, c) => {
    const { status, message } = httpErrorOf(err);
    return c.json({ error: { message } }, status as 400);
  });
  app.notFound((c) => c.json({ error: { message: `No such resource: ${c.req.method} ${c.req.path}` } }, 404));

  app.use('*', async (c, next) => {
    const session = basicSession(c.req.header('authorization'));
    if (!session) {
      c.header('WWW-Authenticate', 'Basic realm="OneFlow"');
      return c.json({ error: { message: 'A username and password must be provided' } }, 401);
    }
    c.set('one', clients.get(session));
    await next();
  });

  // ---- service templates ----
  app.get('/service_template', async (c) => c.json(poolJson(await listDocs(c.get('one'), TEMPLATE_DOCUMENT))));

  app.post('/service_template', async (c) => {
    const one = c.get('one');
    const body = { ...checked(await json(c)), registration_time: Math.floor(Date.now() / 1000) };
    const newId = await createDoc(one, TEMPLATE_DOCUMENT, body.name, body);
    const doc = await readDoc<TemplateBody>(one, newId, TEMPLATE_DOCUMENT, 'Service template');
    return c.json(docJson(doc.obj, doc.body), 201);
  });

  app.get('/service_template/:id', async (c) => {
    const doc = await readDoc<TemplateBody>(c.get('one'), id(c), TEMPLATE_DOCUMENT, 'Service template');
    return c.json(docJson(doc.obj, doc.body));
  });

  const updateTemplate = async (one: Oca, docId: number, raw: Record<string, unknown>) => {
    const current = await readDoc<TemplateBody>(one, docId, TEMPLATE_DOCUMENT, 'Service template');
    let next: unknown = raw;
    if ('template' in raw) {
      const t = typeof raw.template === 'string' ? parseJson(raw.template) : raw.template;
      next = raw.append === true ? { ...current.body, ...(t as object) } : t;
    }
    const body = checked(next);
    await writeBody(one, docId, body);
    if (body.name !== current.obj.name) await one.documents.rename(docId, body.name);
  };

  app.put('/service_template/:id', async (c) => {
    const one = c.get('one');
    const docId = id(c);
    await updateTemplate(one, docId, await json(c));
    const doc = await readDoc<TemplateBody>(one, docId, TEMPLATE_DOCUMENT, 'Service template');
    return c.json(docJson(doc.obj, doc.body));
  });

  app.delete('/service_template/:id', async (c) => {
    const one = c.get('one');
    const docId = id(c);
    await readDoc(one, docId, TEMPLATE_DOCUMENT, 'Service template');
    await one.documents.delete(docId);
    return c.body(null, 204);
  });

  app.post('/service_template/:id/action', async (c) => {
    const one = c.get('one');
    const docId = id(c);
    const { perform, params } = await actionOf(c);
    const doc = await readDoc<TemplateBody>(one, docId, TEMPLATE_DOCUMENT, 'Service template');
    switch (perform) {
      case 'instantiate': {
        const sid = await instantiate(one, docId, doc.body, params.merge_template);
        engine.kick();
        const s = await readDoc<ServiceBody>(one, sid, SERVICE_DOCUMENT, 'Service');
        return c.json(docJson(s.obj, s.body), 201);
      }
      case 'clone': {
        const name = text(params.name, 'name');
        const newId = await createDoc(one, TEMPLATE_DOCUMENT, name, { ...doc.body, name, registration_time: Math.floor(Date.now() / 1000) });
        const copy = await readDoc<TemplateBody>(one, newId, TEMPLATE_DOCUMENT, 'Service template');
        return c.json(docJson(copy.obj, copy.body), 201);
      }
      case 'update':
        await updateTemplate(one, docId, { template: params.template_json ?? params.template, append: params.append === true });
        return c.body(null, 204);
      case 'rename':
        await one.documents.rename(docId, text(params.name, 'name'));
        await writeBody(one, docId, { ...doc.body, name: params.name });
        return c.body(null, 204);
      default:
        if (await ownedAction(one, docId, perform, params)) return c.body(null, 204);
        throw new HttpError(400, `Action ${perform} not supported on service templates`);
    }
  });

  // ---- services ----
  app.get('/service', async (c) => c.json(poolJson(await listDocs(c.get('one'), SERVICE_DOCUMENT))));

  app.get('/service/:id', async (c) => {
    const one = c.get('one');
    const doc = await readDoc<ServiceBody>(one, id(c), SERVICE_DOCUMENT, 'Service');
    return c.json(docJson(doc.obj, await withVmInfo(one, doc.body)));
  });

  app.delete('/service/:id', async (c) => {
    await changeService(engine, c.get('one'), id(c), (b) => undeploy(b, true));
    return c.body(null, 204);
  });

  app.post('/service/:id/action', async (c) => {
    const one = c.get('one');
    const sid = id(c);
    const { perform, params } = await actionOf(c);
    switch (perform) {
      case 'shutdown':
      case 'undeploy':
        await changeService(engine, one, sid, (b) => undeploy(b, false));
        break;
      case 'recover':
        await changeService(engine, one, sid, (b) => recover(one, b, params.delete === true));
        break;
      case 'rename':
        await changeService(engine, one, sid, async (b) => {
          b.name = text(params.name, 'name');
          await one.documents.rename(sid, b.name);
        });
        break;
      case 'chown':
      case 'chgrp': {
        const uid = perform === 'chown' ? int(params.owner_id, 'owner_id') : -1;
        const gid = perform === 'chgrp' || params.group_id !== undefined ? int(params.group_id, 'group_id') : -1;
        const { body } = await readDoc<ServiceBody>(one, sid, SERVICE_DOCUMENT, 'Service');
        // The VMs first: a refusal leaves the service as it was.
        for (const vm of serviceVms(body)) await one.vms.chown(vm, uid, gid);
        await one.documents.chown(sid, uid, gid);
        break;
      }
      case 'chmod':
        await chmodDoc(one, sid, octet(params.octet));
        break;
      default:
        throw new HttpError(400, `Action ${perform} not supported on services`);
    }
    return c.body(null, 204);
  });

  app.post('/service/:id/scale', async (c) => {
    const p = await json(c);
    await changeService(engine, c.get('one'), id(c), (b) => scale(b, p.role_name, p.cardinality, p.force === true));
    return c.body(null, 201);
  });

  // Older OneFlow clients change a role's cardinality here (PUT) or post it (POST).
  const roleUpdate = async (c: Context<Env>) => {
    const p = await json(c);
    await changeService(engine, c.get('one'), id(c), (b) => scale(b, c.req.param('role_name'), p.cardinality, p.force === true));
    return c.body(null, 204);
  };
  app.put('/service/:id/role/:role_name', roleUpdate);
  app.post('/service/:id/role/:role_name', roleUpdate);

  app.post('/service/:id/role/:role_name/action', async (c) => {
    const one = c.get('one');
    const { perform } = await actionOf(c);
    if (!ROLE_VM_ACTIONS.has(perform)) throw new HttpError(400, `Action ${perform} is not one of ${[...ROLE_VM_ACTIONS].join(', ')}`);
    const { body } = await readDoc<ServiceBody>(one, id(c), SERVICE_DOCUMENT, 'Service');
    const role = body.roles.find((r) => r.name === c.req.param('role_name'));
    if (!role) throw new HttpError(404, `Role "${c.req.param('role_name')}" does not exist in the service`);
    for (const n of nodesOf(role)) await one.vms.action(perform, n.deploy_id);
    return c.body(null, 204);
  });

  return app;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new HttpError(400, 'template is not valid JSON');
  }
}

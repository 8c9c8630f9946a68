/**
 * Virtual network templates (OpenNebula 7.4): `one.vntemplate.allocate`, `delete`, `info`,
 * `update`, `rename`, `chmod`, `chown`, `lock`, `unlock`, `clone`, `instantiate` and
 * `one.vntemplatepool.info`. A template holds what `one.vn.allocate` takes (VN_MAD, BRIDGE,
 * AR = [...]...) and, optionally, CLUSTER_IDS ("100,101") for the clusters its networks go in
 * (the default cluster when it names none). Instantiating needs USE on the template and CREATE
 * NET; the network is the caller's, its template records TEMPLATE_ID and TEMPLATE_NAME, and its
 * TEMPLATE_ID element names the template, as 7.4 shows them.
 */
import { AuthOp } from '../../auth/operation.js';
import { DEFAULT_CLUSTER_ID } from '../../cluster/index.js';
import { VnTemplate } from '../../vntemplate/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { checkName, checkNameFree, parseTemplate } from './common.js';
import { objectMethods } from './object-methods.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';
import { checkRestrictedExtra, checkRestrictedSet } from './template-attributes.js';
import { createNetwork, type NewNetwork } from './vnet.js';
import type { Template } from '../../common/template/index.js';

const kind = { prefix: 'one.vntemplate', pool: (core: Request['core']) => core.vnTemplates, restricted: 'VNET' } as const;

const now = () => Math.floor(Date.now() / 1000);

/** The clusters of CLUSTER_IDS that exist (7.4 skips the others), or the default cluster. */
function templateClusters(req: Request, text: string | undefined): number[] {
  const ids = (text ?? '').split(',').map((s) => s.trim()).filter((s) => /^\d+$/.test(s)).map(Number);
  const existing = [...new Set(ids)].filter((id) => req.core.clusters.get(id) !== undefined);
  return existing.length > 0 || ids.length > 0 ? existing : [DEFAULT_CLUSTER_ID];
}

/**
 * Makes network `name` from network template `source` (its `template`, a copy, possibly with
 * more merged in), as one.vntemplate.instantiate does: in the template's clusters, recording
 * TEMPLATE_ID and TEMPLATE_NAME. Owned by the caller unless `owner` is given; the caller has
 * checked the rights. Refusals are ALLOCATE with 7.4's "Error allocating..." prefix.
 */
export async function networkFromTemplate(req: Request, source: VnTemplate, template: Template, name: string, owner?: NewNetwork['owner']): Promise<number> {
  const clusterIds = templateClusters(req, template.get('CLUSTER_IDS'));
  template.remove('NAME');
  template.set('TEMPLATE_NAME', source.name);
  template.set('TEMPLATE_ID', String(source.oid));
  try {
    checkName(name, ErrorCode.ALLOCATE);
    checkNameFree(req.core.vnets, name, owner?.uid ?? req.caller.uid, ErrorCode.ALLOCATE);
  } catch (err) {
    throw new ApiError(ErrorCode.ALLOCATE, `Error allocating a new virtual network. ${(err as Error).message}`);
  }
  try {
    return await createNetwork(req, name, template, { clusterIds, code: ErrorCode.ALLOCATE, templateId: source.oid, strictArs: true, owner });
  } catch (err) {
    if (err instanceof ApiError && err.code === ErrorCode.ALLOCATE) throw new ApiError(ErrorCode.ALLOCATE, `Error allocating a new virtual network. ${err.message}`);
    throw err;
  }
}

export const vnTemplateMethods: MethodDef[] = [
  method({
    name: 'one.vntemplate.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.vnTemplates, text, 'VN template');
      checkRestrictedSet(req, 'VNET', template, 'VN Template');
      return createOwned(req, req.core.vnTemplates, name, (oid, owner, perms) => new VnTemplate(oid, name, owner, perms, now(), template), 'internal');
    },
  }),
  method({
    name: 'one.vntemplate.clone',
    params: ['i', 's'],
    run: (req, [oid, name]) => {
      const source = req.authorized(req.core.vnTemplates, oid, AuthOp.USE);
      const template = source.template.clone();
      return createOwned(req, req.core.vnTemplates, name, (id, owner, perms) => new VnTemplate(id, name, owner, perms, now(), template), 'internal');
    },
  }),
  method({
    name: 'one.vntemplate.delete',
    params: ['i'],
    run: (req, [oid]) => deleteOwned(req, req.core.vnTemplates, oid),
  }),
  method({
    name: 'one.vntemplate.instantiate',
    params: ['i', { opt: 's', def: '' }, { opt: 's', def: '' }],
    run: async (req, [oid, vnetName, extraText]) => {
      const vnets = req.core.vnets;
      const source = req.authorized(req.core.vnTemplates, oid, AuthOp.USE);
      const template = source.template.clone();
      // 7.4: a bad extra template is INTERNAL; restricted attributes of non-admins AUTHORIZATION.
      const extra = parseTemplate(extraText, ErrorCode.INTERNAL, undefined, oid);
      checkRestrictedExtra(req, 'VNET', extra, template, oid);
      template.merge(extra);
      req.authorizeCreate('NET');
      const name = vnetName !== '' ? vnetName : `${source.name}-${vnets.lastId + 1}`;
      return networkFromTemplate(req, source, template, name);
    },
  }),
  ...objectMethods(kind),
  method({
    name: 'one.vntemplatepool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.vnTemplates, filter, start, end),
  }),
];

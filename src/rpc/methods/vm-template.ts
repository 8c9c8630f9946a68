/**
 * `one.template.*` and `one.templatepool.info`. Instantiation arrives with virtual machines; a
 * recursive clone or delete (which also copies or deletes the template's images) with images.
 */
import { AuthOp } from '../../auth/operation.js';
import { VmTemplate } from '../../vmtemplate/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { objectMethods } from './object-methods.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const kind = { prefix: 'one.template', pool: (core: Request['core']) => core.templates };

const now = () => Math.floor(Date.now() / 1000);

function refuseRecursive(recursive: boolean, oid: number): void {
  if (recursive) throw new ApiError(ErrorCode.ACTION, 'Recursive clone/delete (with the template\'s images) needs images, which this oned does not have yet.', oid);
}

export const vmTemplateMethods: MethodDef[] = [
  method({
    name: 'one.template.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.templates, text, 'VM template');
      return createOwned(req, req.core.templates, name, (oid, owner, perms) => new VmTemplate(oid, name, owner, perms, now(), template));
    },
  }),
  method({
    name: 'one.template.clone',
    params: ['i', 's', { opt: 'b', def: false }],
    run: (req, [oid, name, recursive]) => {
      refuseRecursive(recursive, oid);
      const template = req.authorized(req.core.templates, oid, AuthOp.USE).template.clone();
      return createOwned(req, req.core.templates, name, (id, owner, perms) => new VmTemplate(id, name, owner, perms, now(), template));
    },
  }),
  method({
    name: 'one.template.delete',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid, recursive]) => {
      refuseRecursive(recursive, oid);
      return deleteOwned(req, req.core.templates, oid);
    },
  }),
  ...objectMethods(kind),
  method({
    name: 'one.templatepool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.templates, filter, start, end),
  }),
];

/** `one.document.*` and `one.documentpool.info`. */
import { AuthOp } from '../../auth/operation.js';
import { Document } from '../../document/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { objectMethods } from './object-methods.js';
import { encryptAttributes } from './template-attributes.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const kind = { prefix: 'one.document', pool: (core: Request['core']) => core.documents, encrypted: 'DOCUMENT' } as const;

export const documentMethods: MethodDef[] = [
  method({
    name: 'one.document.allocate',
    params: ['s', { opt: 'i', def: 0 }],
    run: (req, [text, docType]) => {
      const { template, name } = templateAndName(req.core.documents, text, 'Document');
      encryptAttributes(req, 'DOCUMENT', template);
      return createOwned(req, req.core.documents, name, (oid, owner, perms) => new Document(oid, name, owner, perms, docType, template));
    },
  }),
  method({
    name: 'one.document.clone',
    params: ['i', 's'],
    run: (req, [oid, name]) => {
      const src = req.authorized(req.core.documents, oid, AuthOp.USE);
      const template = src.template.clone();
      return createOwned(req, req.core.documents, name, (id, owner, perms) => new Document(id, name, owner, perms, src.docType, template));
    },
  }),
  method({ name: 'one.document.delete', params: ['i'], run: (req, [oid]) => deleteOwned(req, req.core.documents, oid) }),
  ...objectMethods(kind),
  method({
    name: 'one.documentpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end, docType]) =>
      ownedPoolXml(req, req.core.documents, filter, start, end, docType >= 0 ? (d) => d.docType === docType : undefined),
  }),
];

/** `one.document.*` and `one.documentpool.info`. */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import { Document } from '../../document/index.js';
import { ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import type { Template } from '../../common/template/index.js';
import { allocateError, checkName, checkNameFree, listPool, newObjectPermissions, parseTemplate } from './common.js';
import { objectMethods } from './object-methods.js';

const kind = { prefix: 'one.document', pool: (core: Request['core']) => core.documents };

/** Creates a document owned by the caller; the name comes from the template's NAME. */
async function create(req: Request, name: string, docType: number, template: Template): Promise<number> {
  const pool = req.core.documents;
  req.authorizeCreate('DOCUMENT');
  const c = req.caller;
  try {
    checkName(name, ErrorCode.ALLOCATE);
    checkNameFree(pool, name, c.uid, ErrorCode.ALLOCATE);
  } catch (err) {
    throw allocateError(pool, (err as Error).message);
  }
  const tx = req.transaction();
  const doc = new Document(pool.nextOid(), name, { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname }, newObjectPermissions(req), docType, template);
  tx.create(pool, doc);
  await tx.commit();
  return doc.oid;
}

export const documentMethods: MethodDef[] = [
  method({
    name: 'one.document.allocate',
    params: ['s', { opt: 'i', def: 0 }],
    run: (req, [text, docType]) => {
      const tmpl = parseTemplate(text, ErrorCode.ALLOCATE);
      const name = tmpl.get('NAME');
      if (name === undefined) throw allocateError(req.core.documents, 'No NAME in template for Document.');
      tmpl.remove('NAME');
      return create(req, name, docType, tmpl);
    },
  }),
  method({
    name: 'one.document.clone',
    params: ['i', 's'],
    run: (req, [oid, name]) => {
      const src = req.authorized(req.core.documents, oid, AuthOp.USE);
      return create(req, name, src.docType, src.template.clone());
    },
  }),
  method({
    name: 'one.document.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const pool = req.core.documents;
      const doc = req.authorized(pool, oid, AuthOp.MANAGE);
      const tx = req.transaction();
      tx.delete(pool, doc);
      await tx.commit();
      await req.core.acl.delResourceRules(ObjectType.DOCUMENT, oid);
      return oid;
    },
  }),
  ...objectMethods(kind),
  method({
    name: 'one.documentpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end, docType]) => {
      const pool = req.core.documents;
      return new EscapedString(pool.toEscapedXml(listPool(req, pool, filter, start, end, docType >= 0 ? (d) => d.docType === docType : undefined)));
    },
  }),
];

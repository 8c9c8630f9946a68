/**
 * Service templates and services as documents in oned, through the client library only: read,
 * list, create and replace the JSON body (sent as an XML template, so any JSON survives), and the
 * JSON OneFlow answers with (`{ DOCUMENT: { ID, UID, ..., TEMPLATE: { BODY: {...} } } }`).
 */
import { xmlEscape } from '../common/xml.js';
import { UpdateMode, type Oca, type OneObject } from '../oca/index.js';
import { nodeToJson, type JsonTree } from '../ui/server/xml-json.js';
import { HttpError } from './errors.js';

export interface FlowDoc<B> {
  readonly obj: OneObject;
  readonly body: B;
}

/** The XML template of a document: the BODY (and NAME when given). */
export function bodyTemplate(body: unknown, name?: string): string {
  return `<TEMPLATE>${name === undefined ? '' : `<NAME>${xmlEscape(name)}</NAME>`}<BODY>${xmlEscape(JSON.stringify(body))}</BODY></TEMPLATE>`;
}

function bodyOf<B>(obj: OneObject): B {
  const text = obj.get('TEMPLATE/BODY');
  try {
    return JSON.parse(text) as B;
  } catch {
    throw new HttpError(500, `Document ${obj.id} has no valid JSON BODY`);
  }
}

/** Reads a document that must be of `type` (another type is "not found", as OneFlow answers). */
export async function readDoc<B>(one: Oca, id: number, type: number, what: string): Promise<FlowDoc<B>> {
  const obj = await one.documents.info(id);
  if (obj.int('TYPE') !== type) throw new HttpError(404, `${what} ${id} does not exist`);
  return { obj, body: bodyOf<B>(obj) };
}

/** The documents of `type` the session may see (`filter` as `*pool.info`: -2 all). */
export async function listDocs<B>(one: Oca, type: number, filter = -2): Promise<FlowDoc<B>[]> {
  const xml = await one.documents.listXml(filter, -1, -1, type);
  return one.documents.parseList(xml).filter((o) => o.int('TYPE') === type).map((obj) => ({ obj, body: bodyOf<B>(obj) }));
}

export function writeBody(one: Oca, id: number, body: unknown): Promise<number> {
  return one.documents.update(id, bodyTemplate(body), UpdateMode.REPLACE);
}

export function createDoc(one: Oca, type: number, name: string, body: unknown): Promise<number> {
  return one.documents.allocate(bodyTemplate(body, name), type);
}

/** The document as OneFlow's JSON, with `body` as TEMPLATE/BODY (parsed, not a string). */
export function docJson(obj: OneObject, body: unknown): { DOCUMENT: Record<string, unknown> } {
  const tree = nodeToJson(obj.node) as Record<string, JsonTree>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = k === 'TEMPLATE' ? { ...(v as object), BODY: body } : v;
  return { DOCUMENT: out };
}

export function poolJson(docs: readonly FlowDoc<unknown>[]): { DOCUMENT_POOL: { DOCUMENT?: unknown[] } } {
  return { DOCUMENT_POOL: docs.length ? { DOCUMENT: docs.map((d) => docJson(d.obj, d.body).DOCUMENT) } : {} };
}


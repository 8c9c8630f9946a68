/**
 * Storing EC2 data in OpenNebula templates. Lists whose entries hold free text (tags, key
 * pairs) live in one vector attribute with numbered keys, e.g.
 * `EC2_TAGS = [ KEY_1 = "Name", VALUE_1 = "web", KEY_2 = ... ]`: a single attribute survives
 * the templates that keep one attribute per name (images, users) and replaces in one MERGE
 * update. Templates are written in the XML form, so any text is safe. Read-modify-write
 * sequences of one object run one at a time (`serialized`).
 */
import type { OneObject } from '../../oca/index.js';
import type { XmlNode } from '../../common/xml-tree.js';
import { xmlEscapeText } from '../../common/xml.js';

type Value = string | number;
/** A template as name → value, or → a vector of sub-attributes. Arrays repeat the attribute. */
export type TemplateSpec = Record<string, Value | Record<string, Value> | Array<Record<string, Value>> | undefined>;

function scalar(name: string, v: Value): string {
  return `<${name}>${xmlEscapeText(String(v))}</${name}>`;
}

function vector(name: string, v: Record<string, Value>): string {
  return `<${name}>${Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => scalar(k, x))
    .join('')}</${name}>`;
}

/** The XML form of a template (what allocate/update/instantiate accept beside the text form). */
export function templateXml(spec: TemplateSpec): string {
  let out = '<TEMPLATE>';
  for (const [name, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number') out += scalar(name, v);
    else if (Array.isArray(v)) for (const one of v) out += vector(name, one);
    else out += vector(name, v);
  }
  return `${out}</TEMPLATE>`;
}

/** The vector `name` of a template node, as entries (`KEY_1`, `VALUE_1`... → [{KEY, VALUE}, ...]), ordered by number. */
export function readNumbered(template: XmlNode | undefined, name: string): Array<Record<string, string>> {
  const node = template?.children.find((c) => c.name === name);
  if (!node) return [];
  const byIndex = new Map<number, Record<string, string>>();
  for (const c of node.children) {
    const m = /^([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)_(\d+)$/.exec(c.name);
    if (!m) continue;
    const i = Number(m[2]);
    let rec = byIndex.get(i);
    if (!rec) byIndex.set(i, (rec = {}));
    rec[m[1]!] = c.text;
  }
  return [...byIndex].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

/** The update (MERGE mode) that sets the vector `name` to `entries` (none: removes the attribute). */
export function numberedUpdate(name: string, entries: ReadonlyArray<Record<string, string>>): string {
  if (entries.length === 0) return `${name} = []`;
  const flat: Record<string, string> = {};
  entries.forEach((e, i) => {
    for (const [k, v] of Object.entries(e)) flat[`${k}_${i + 1}`] = v;
  });
  return templateXml({ [name]: flat });
}

/** The template node of an object (`TEMPLATE`, or a VM's `USER_TEMPLATE`). */
export function templateNode(obj: OneObject, path: 'TEMPLATE' | 'USER_TEMPLATE'): XmlNode | undefined {
  return obj.node.children.find((c) => c.name === path);
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` after the earlier calls with the same key have finished (one writer per object). */
export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

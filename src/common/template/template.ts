import { checkedName, checkedValue, copyValue, normalizeName, type Attribute, type Vector } from './attribute.js';
import { templateToText, templateToXml } from './serialize.js';
import { parseTemplateText } from './text-parser.js';
import { parseTemplateXml } from './xml-parser.js';

/** How a template treats repeated names. */
export interface TemplateOptions {
  /**
   * Setting an attribute removes earlier ones with the same name, so each name appears at most
   * once. OpenNebula uses this for cluster, image and user templates; other kinds accumulate.
   */
  replaceMode?: boolean;
}

/** An attribute as stored: the value is replaced in place by `set` (O(1) for a unique name). */
interface Entry {
  readonly name: string;
  value: string | Vector;
}

/**
 * An ordered multimap of attributes: names are stored normalized (upper-case, `ONE_` fix-up), so
 * every lookup by name is case-insensitive. Vector values are kept by reference: the template
 * owns the Maps it is given; {@link Template.clone} copies them.
 */
export class Template {
  /** See {@link TemplateOptions.replaceMode}. */
  readonly replaceMode: boolean;
  /** Insertion order; replaced wholesale on removal so arrays handed out stay consistent. */
  private entries: Entry[] = [];
  /** Name → its entries in insertion order; never holds an empty array. */
  private readonly byName = new Map<string, Entry[]>();

  /** Builds a template by {@link Template.add}ing each attribute in order. */
  constructor(attributes?: Iterable<Attribute>, options?: TemplateOptions) {
    this.replaceMode = options?.replaceMode ?? false;
    if (attributes !== undefined) for (const a of attributes) this.add(a.name, a.value);
  }

  /** Parses the text syntax (spec §5.1). Throws TemplateSyntaxError. */
  static parse(text: string, options?: TemplateOptions): Template {
    const template = new Template(undefined, options);
    parseTemplateText(text, (name, value) => template.insert(name, value));
    return template;
  }

  /** Parses the XML form (spec §5.2), any root element name. Throws TemplateSyntaxError. */
  static fromXml(xml: string, options?: TemplateOptions): Template {
    const template = new Template(undefined, options);
    parseTemplateXml(xml, (name, value) => template.insert(name, value));
    return template;
  }

  /** What update calls accept: XML when the first non-blank character is `<`, text otherwise. */
  static parseTextOrXml(s: string, options?: TemplateOptions): Template {
    let i = 0;
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
    return s[i] === '<' ? Template.fromXml(s, options) : Template.parse(s, options);
  }

  /** Number of attributes, counting repeated names. */
  get size(): number {
    return this.entries.length;
  }

  /** All attributes in insertion order. A view: do not keep it across changes. */
  attributes(): readonly Attribute[] {
    return this.entries;
  }

  /** Value of the first single (non-vector) attribute called `name`. */
  get(name: string): string | undefined {
    const same = this.byName.get(normalizeName(name));
    if (same !== undefined) for (const e of same) if (typeof e.value === 'string') return e.value;
    return undefined;
  }

  /** Value of the first vector attribute called `name`. */
  getVector(name: string): Vector | undefined {
    const same = this.byName.get(normalizeName(name));
    if (same !== undefined) for (const e of same) if (typeof e.value !== 'string') return e.value;
    return undefined;
  }

  /** Every attribute called `name`, in insertion order (a copy: safe to change the template while iterating). */
  getAll(name: string): Attribute[] {
    const same = this.byName.get(normalizeName(name));
    return same === undefined ? [] : same.slice();
  }

  /** Whether any attribute is called `name`. */
  has(name: string): boolean {
    return this.byName.has(normalizeName(name));
  }

  /**
   * Makes `name` a single attribute with this value: replaces every attribute of that name,
   * keeping the position of the first, or appends when there is none.
   * Throws RangeError for a name or vector key no XML element could carry.
   */
  set(name: string, value: string | Vector): void {
    const n = checkedName(name);
    const v = checkedValue(value);
    const same = this.byName.get(n);
    if (same === undefined) this.append(n, v);
    else this.replace(same, v);
  }

  /** Appends an attribute (in replace mode: same as {@link Template.set}). Throws RangeError like `set`. */
  add(name: string, value: string | Vector): void {
    this.insert(checkedName(name), checkedValue(value));
  }

  /** Removes every attribute called `name`; returns how many there were. */
  remove(name: string): number {
    const n = normalizeName(name);
    const same = this.byName.get(n);
    if (same === undefined) return 0;
    this.byName.delete(n);
    this.entries = this.entries.filter((e) => e.name !== n);
    return same.length;
  }

  /**
   * OpenNebula's update in merge mode: for each name in `other`, its attributes replace all the
   * same-name ones here (at the position of the first), new names are appended in `other`'s
   * order. An empty vector in `other` only deletes; in replace mode the last one of a name wins.
   * Values are copied.
   */
  merge(other: Template): void {
    const incoming = new Map<string, Entry[]>();
    for (const e of other.entries) {
      let list = incoming.get(e.name);
      if (list === undefined) incoming.set(e.name, (list = []));
      if (typeof e.value !== 'string' && e.value.size === 0) continue;
      const copy: Entry = { name: e.name, value: copyValue(e.value) };
      if (this.replaceMode) list[0] = copy;
      else list.push(copy);
    }
    const merged: Entry[] = [];
    const placed = new Set<string>();
    const place = (name: string, list: Entry[]): void => {
      placed.add(name);
      for (const e of list) merged.push(e);
    };
    for (const e of this.entries) {
      const list = incoming.get(e.name);
      if (list === undefined) merged.push(e);
      else if (!placed.has(e.name)) place(e.name, list);
    }
    for (const [name, list] of incoming) if (!placed.has(name)) place(name, list);
    this.entries = merged;
    this.reindex();
  }

  /** Replaces, in place, the value of every single attribute called `name` by `fn(value)`. */
  mapValues(name: string, fn: (value: string) => string): void {
    const same = this.byName.get(normalizeName(name));
    if (same !== undefined) for (const e of same) if (typeof e.value === 'string') e.value = fn(e.value);
  }

  /** A deep copy with the same options. */
  clone(): Template {
    const copy = new Template(undefined, { replaceMode: this.replaceMode });
    for (const e of this.entries) copy.append(e.name, copyValue(e.value));
    return copy;
  }

  /** The text syntax, attributes in insertion order; parses back to an equal template. */
  toText(): string {
    return templateToText(this.entries);
  }

  /** The XML form: `<root>` with attributes sorted by name, `<root/>` when empty. */
  toXml(root = 'TEMPLATE'): string {
    return templateToXml(this.entries, root);
  }

  /** `add` for names and values that are already normalized (parsers). */
  private insert(name: string, value: string | Vector): void {
    const same = this.byName.get(name);
    if (same !== undefined && this.replaceMode) this.replace(same, value);
    else this.append(name, value);
  }

  private append(name: string, value: string | Vector): void {
    const entry: Entry = { name, value };
    this.entries.push(entry);
    const same = this.byName.get(name);
    if (same === undefined) this.byName.set(name, [entry]);
    else same.push(entry);
  }

  /** Leaves only the first of `same`, holding `value`. */
  private replace(same: Entry[], value: string | Vector): void {
    same[0]!.value = value;
    if (same.length > 1) {
      const dropped = new Set(same.slice(1));
      this.entries = this.entries.filter((e) => !dropped.has(e));
      same.length = 1;
    }
  }

  private reindex(): void {
    this.byName.clear();
    for (const e of this.entries) {
      const same = this.byName.get(e.name);
      if (same === undefined) this.byName.set(e.name, [e]);
      else same.push(e);
    }
  }
}

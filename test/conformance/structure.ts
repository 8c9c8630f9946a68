/**
 * Structural comparison of two XML-RPC responses, as OpenNebula's clients see them: the envelope
 * (how many values, each value's XML-RPC type), and for a string that holds an XML document its
 * elements, their nesting, their order and the kind of each leaf's text (empty, number, text).
 * Values themselves (ids, names, times, sizes) are not compared.
 */
import { parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';

/** One difference, at a path like `VM/TEMPLATE/DISK[1]/CLONE` (`[i]` counts same-named siblings). */
export interface Difference {
  readonly path: string;
  readonly what: string;
}

/** A response value as its type and, for strings, its text. */
interface RawValue {
  readonly type: string;
  readonly text: string;
}

/** Reads a raw `<methodResponse>` into its top-level values (the array's elements, or the one value). */
export function responseValues(xml: string): RawValue[] {
  const root = parseXmlTree(xml);
  if (root.name !== 'methodResponse') throw new Error(`not a methodResponse: <${root.name}>`);
  const fault = root.children.find((c) => c.name === 'fault');
  if (fault) return [{ type: 'fault', text: '' }];
  const value = root.children.find((c) => c.name === 'params')?.children[0]?.children[0];
  if (!value) throw new Error('methodResponse without a value');
  const typed = value.children[0];
  if (typed?.name === 'array') {
    const data = typed.children[0];
    return (data?.children ?? []).map(rawValue);
  }
  return [rawValue(value)];
}

function rawValue(value: XmlNode): RawValue {
  const typed = value.children[0];
  if (!typed) return { type: 'string', text: value.text };
  // <int> and <i4> are the same type on the wire.
  return { type: typed.name === 'int' ? 'i4' : typed.name, text: typed.text };
}

/** The kind of a leaf's text: what a client parsing it by path would notice. */
export function textKind(text: string): 'empty' | 'integer' | 'decimal' | 'text' {
  const t = text.trim();
  if (t === '') return 'empty';
  if (/^-?\d+$/.test(t)) return 'integer';
  // Go's and Ruby's clients parse an integer field with an integer parser: a decimal is not one.
  return /^-?\d+\.\d+([eE][-+]?\d+)?$/.test(t) ? 'decimal' : 'text';
}

function isXmlDocument(text: string): boolean {
  return text.trimStart().startsWith('<');
}

/** Compares two raw responses; returns every structural difference (ours against the reference). */
export function compareResponses(ours: string, reference: string): Difference[] {
  const a = responseValues(ours);
  const b = responseValues(reference);
  const out: Difference[] = [];
  if (a.length !== b.length) {
    const failed = a[0]?.type === 'boolean' && a[0].text === '0' ? `: failed with ${JSON.stringify(a[1]?.text ?? '')}` : '';
    out.push({ path: '(envelope)', what: `${a.length} values, reference has ${b.length} (${b.map((v) => v.type).join(', ')})${failed}` });
    return out;
  }
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const va = a[i]!;
    const vb = b[i]!;
    if (va.type !== vb.type) {
      out.push({ path: `(envelope)[${i}]`, what: `type ${va.type}, reference ${vb.type}` });
      continue;
    }
    if (va.type === 'string' && isXmlDocument(vb.text)) {
      if (!isXmlDocument(va.text)) {
        out.push({ path: `(envelope)[${i}]`, what: 'plain text, reference holds an XML document' });
        continue;
      }
      const ta = parseXmlTree(va.text);
      const tb = parseXmlTree(vb.text);
      compareTrees(ta, tb, '', out);
      compareListOrder(ta, tb, out);
    }
  }
  return out;
}

/** Compares two element trees (names, nesting, order, leaf kinds) into `out`. */
export function compareTrees(ours: XmlNode, reference: XmlNode, parent: string, out: Difference[]): void {
  const path = parent === '' ? ours.name : parent;
  if (ours.name !== reference.name) {
    out.push({ path, what: `element <${ours.name}>, reference <${reference.name}>` });
    return;
  }
  if (ours.children.length === 0 && reference.children.length === 0) {
    const ka = textKind(ours.text);
    const kb = textKind(reference.text);
    if (ka !== kb) out.push({ path, what: `${ka} value ${JSON.stringify(clip(ours.text))}, reference ${kb} ${JSON.stringify(clip(reference.text))}` });
    return;
  }
  const namesA = ours.children.map((c) => c.name);
  const namesB = reference.children.map((c) => c.name);
  const pairs = alignment(namesA, namesB);
  const seenA = new Map<string, number>();
  let ia = 0;
  let ib = 0;
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [pa, pb] of [...pairs, [namesA.length, namesB.length] as const]) {
    while (ia < pa) extra.push(namesA[ia++]!);
    while (ib < pb) missing.push(namesB[ib++]!);
    if (pa === namesA.length) break;
    const name = namesA[pa]!;
    const n = seenA.get(name) ?? 0;
    seenA.set(name, n + 1);
    const indexed = countOf(namesA, name) > 1 || countOf(namesB, name) > 1 ? `${name}[${n}]` : name;
    compareTrees(ours.children[pa]!, reference.children[pb]!, `${path}/${indexed}`, out);
    ia = pa + 1;
    ib = pb + 1;
  }
  const moved = missing.filter((m) => extra.includes(m));
  for (const m of moved) {
    out.push({ path: `${path}/${m}`, what: `out of order: ours ${namesA.join(',')} — reference ${namesB.join(',')}` });
  }
  for (const m of missing) if (!moved.includes(m)) out.push({ path: `${path}/${m}`, what: 'missing (the reference has it)' });
  for (const e of extra) if (!moved.includes(e)) out.push({ path: `${path}/${e}`, what: 'extra (the reference does not have it)' });
  if (ours.children.length === 0 !== (reference.children.length === 0) && ours.children.length + reference.children.length > 0) {
    // One side is a leaf, the other a parent: already reported as missing/extra children.
  }
}

/** Ids of a listing's objects (children with an ID), in document order. */
function idsOf(pool: XmlNode): number[] {
  const ids: number[] = [];
  for (const c of pool.children) {
    const id = c.children.find((x) => x.name === 'ID');
    if (id) ids.push(Number(id.text));
  }
  return ids;
}

function direction(ids: readonly number[]): 'ascending' | 'descending' | undefined {
  if (ids.length < 2) return undefined;
  if (ids.every((id, i) => i === 0 || ids[i - 1]! < id)) return 'ascending';
  if (ids.every((id, i) => i === 0 || ids[i - 1]! > id)) return 'descending';
  return undefined;
}

/** A pool listing's objects come in the reference's id order (7.4 lists newest first). */
function compareListOrder(ours: XmlNode, reference: XmlNode, out: Difference[]): void {
  if (!reference.name.endsWith('_POOL')) return;
  const da = direction(idsOf(ours));
  const db = direction(idsOf(reference));
  if (da !== undefined && db !== undefined && da !== db) out.push({ path: ours.name, what: `objects in ${da} id order, reference ${db}` });
}

function countOf(names: readonly string[], name: string): number {
  let n = 0;
  for (const x of names) if (x === name) n++;
  return n;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/** Longest common subsequence of two name lists, as index pairs in increasing order. */
export function alignment(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i]![j] = a[i] === b[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (len[i + 1]![j]! >= len[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

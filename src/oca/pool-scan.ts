/**
 * A pool listing read in one pass without building its tree. For each member (`<VM>` of a
 * `<VM_POOL>`) the scanner keeps where its elements' texts start in the document, one small
 * integer per distinct path (`TEMPLATE/CPU`), the paths shared by the whole pool: a table reads
 * a cell with one map lookup and one slice, and the 100,000 trees of a big listing (hundreds of
 * MB and most of the time of `onevm list`) are never made. A member's tree is built on demand,
 * from its own part of the document, for the readers that walk elements (`all`, `ids`).
 *
 * The scanner reads what the fast tree parser reads (elements without attributes, text, CDATA,
 * the five named entities); for anything else it answers undefined and the caller parses the
 * tree, so both readings always agree.
 */

/** Characters XML forbids, CR (read as LF) and surrogates: documents with any are not scanned. */
const NOT_PLAIN = /[\u0000-\u0008\u000B\u000C\u000D\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const NAME = /[A-Za-z_][\w.:-]*/y;
const SPACE = /[ \t\n]*/y;

/** A slot: 0 absent; s + 1 text from s to the next `<`; -(s + 1) CDATA from s to its `]]>`; MULTI several pieces. */
const MULTI = -(2 ** 30);

/** The paths of a pool's members, numbered as the scanner meets them (0: the member itself). */
export class PoolPaths {
  /** Index of each path below a member (`TEMPLATE/CPU`; '' the member). */
  readonly index = new Map<string, number>([['', 0]]);
  readonly #children: Map<string, number>[] = [new Map()];
  readonly #paths: string[] = [''];
  /** Each path's own element name (its last step). */
  readonly names: string[] = [''];
  /**
   * Guesses from the members read so far, which nearly all have the same elements in the same
   * order: the first child of each path, and the sibling after each path (0: no guess). A right
   * guess costs one startsWith instead of a name match, a slice and a map lookup per tag.
   */
  readonly first: number[] = [0];
  readonly next: number[] = [0];

  /** The index of child `name` of path `parent`, numbered when new. */
  child(parent: number, name: string): number {
    const m = this.#children[parent]!;
    let i = m.get(name);
    if (i === undefined) {
      i = this.#paths.length;
      const path = parent === 0 ? name : `${this.#paths[parent]}/${name}`;
      this.#paths.push(path);
      this.names.push(name);
      this.first.push(0);
      this.next.push(0);
      this.#children.push(new Map());
      this.index.set(path, i);
      m.set(name, i);
    }
    return i;
  }
}

/**
 * Per member, per path index, the slot of its first element (see MULTI), all members in one
 * typed array: 100,000 small arrays would be copied by every young-generation collection.
 */
export class SlotStore {
  table = new Int32Array(1 << 16);
  used = 0;

  /** Appends slots[0, n); returns where they start. */
  add(slots: readonly number[], n: number): number {
    if (this.used + n > this.table.length) {
      const bigger = new Int32Array(Math.max(this.table.length * 2, this.used + n));
      bigger.set(this.table.subarray(0, this.used));
      this.table = bigger;
    }
    const base = this.used;
    for (let i = 0; i < n; i++) this.table[base + i] = slots[i]!;
    this.used += n;
    return base;
  }
}

/** One member of a scanned pool: where it is in the document and where its texts start. */
export class PoolEntry {
  constructor(
    /** The whole pool's document. */
    readonly doc: string,
    readonly paths: PoolPaths,
    /** Offsets of the member's `<` and after its `>`. */
    readonly start: number,
    readonly end: number,
    /** The slots of the whole pool: this member's are store.table[base, base + count). */
    readonly store: SlotStore,
    readonly base: number,
    readonly count: number,
    /** Whether some path had more than one element (then `text` is the first one's). */
    readonly repeated: readonly number[] | undefined,
  ) {}

  /** The member's own XML. */
  get xml(): string {
    return this.doc.slice(this.start, this.end);
  }

  /**
   * The text of the first element at `path` (its own text and CDATA, as the tree's `text`):
   * '' when there is none, undefined when only the tree can say (the text comes in pieces).
   */
  text(path: string): string | undefined {
    const i = this.paths.index.get(path);
    const s = i === undefined || i >= this.count ? 0 : this.store.table[this.base + i]!;
    if (s === 0) return '';
    if (s === MULTI) return undefined;
    const doc = this.doc;
    if (s < 0) return doc.slice(-s - 1, doc.indexOf(']]>', -s - 1));
    const raw = doc.slice(s - 1, doc.indexOf('<', s - 1));
    return raw.includes('&') ? unescapeNamed(raw) : raw;
  }

  /** Whether more than one element is at `path`. */
  isRepeated(path: string): boolean {
    const i = this.paths.index.get(path);
    return i !== undefined && this.repeated !== undefined && this.repeated.includes(i);
  }
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text with the five named entities replaced (the scanner let no other `&` through). */
function unescapeNamed(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_m, n: string) => NAMED[n]!);
}

/** Whether every `&` of xml[a, b) starts one of the five named entities. */
function entitiesOk(xml: string, a: number, b: number): boolean {
  for (let i = xml.indexOf('&', a); i >= 0 && i < b; i = xml.indexOf('&', i + 1)) {
    if (!(xml.startsWith('lt;', i + 1) || xml.startsWith('gt;', i + 1) || xml.startsWith('amp;', i + 1) || xml.startsWith('quot;', i + 1) || xml.startsWith('apos;', i + 1))) return false;
  }
  return true;
}

/** Whether xml holds `name` at `at` (a short loop: startsWith was the scanner's hottest call). */
function nameAt(xml: string, name: string, at: number): boolean {
  for (let i = 0; i < name.length; i++) if (xml.charCodeAt(at + i) !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * The members named `element` among the root's children, in document order; undefined when the
 * document is not plain XML as oned writes it (the tree parser then reads it, or refuses it).
 */
export function scanPool(xml: string, element: string): PoolEntry[] | undefined {
  if (NOT_PLAIN.test(xml)) return undefined;
  const n = xml.length;
  let p = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return undefined;
    p = end + 2;
  }
  const paths = new PoolPaths();
  const store = new SlotStore();
  const out: PoolEntry[] = [];
  // The open elements: names, path indexes (-1 outside members), whether each is the first at
  // its path (only the first sets the slot), and its pieces of text so far.
  const names: string[] = [];
  const idx: number[] = [];
  const firsts: boolean[] = [];
  const pieces: number[] = [];
  // Per depth, the path index of the last element closed there (0: none yet): the guess of the next.
  const prev: number[] = [0, 0];
  let depth = 0;
  let rootSeen = false;
  // The member being read: its start, slots (scratch, copied at its end), repeated paths.
  let memberStart = -1;
  const slots: number[] = [];
  let maxSlot = 0;
  let repeated: number[] | undefined;
  const endMember = (end: number): void => {
    out.push(new PoolEntry(xml, paths, memberStart, end, store, store.add(slots, maxSlot + 1), maxSlot + 1, repeated));
    slots.fill(0, 0, maxSlot + 1);
    memberStart = -1;
    maxSlot = 0;
    repeated = undefined;
  };
  // The next `&` and `]]>` at or after p (-1: none left), so that text is checked without a scan per piece.
  let amp = xml.indexOf('&', p);
  let cdEnd = xml.indexOf(']]>', p);
  while (p < n) {
    const lt = xml.indexOf('<', p);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > p) {
      if (depth === 0) {
        if (xml.slice(p, textEnd).trim() !== '') return undefined;
      } else {
        if (cdEnd >= 0 && cdEnd < p) cdEnd = xml.indexOf(']]>', p);
        if (cdEnd >= 0 && cdEnd < textEnd) return undefined;
        if (amp >= 0 && amp < p) amp = xml.indexOf('&', p);
        if (amp >= 0 && amp < textEnd) {
          if (!entitiesOk(xml, amp, textEnd)) return undefined;
          amp = xml.indexOf('&', textEnd);
        }
        const d = depth - 1;
        if (firsts[d]) slots[idx[d]!] = pieces[d]++ === 0 ? p + 1 : MULTI;
      }
    }
    if (lt < 0) break;
    const c = xml.charCodeAt(lt + 1);
    if (c === 33 /* ! */) {
      if (depth === 0 || !xml.startsWith('<![CDATA[', lt)) return undefined;
      const s = lt + 9;
      const e = cdEnd >= s ? cdEnd : xml.indexOf(']]>', s);
      if (e < 0) return undefined;
      const d = depth - 1;
      if (firsts[d]) slots[idx[d]!] = pieces[d]++ === 0 ? -(s + 1) : MULTI;
      p = e + 3;
      cdEnd = xml.indexOf(']]>', p);
      continue;
    }
    if (c === 47 /* / */) {
      const name = names[depth - 1];
      if (name === undefined || !nameAt(xml, name, lt + 2)) return undefined;
      let gt = lt + 2 + name.length;
      if (xml.charCodeAt(gt) !== 62) {
        SPACE.lastIndex = gt;
        SPACE.test(xml);
        gt = SPACE.lastIndex;
        if (xml.charCodeAt(gt) !== 62) return undefined;
      }
      p = gt + 1;
      depth--;
      prev[depth] = idx[depth]!;
      if (depth === 1 && memberStart >= 0) endMember(p);
      continue;
    }
    // The guess: the element that followed the previous sibling (or came first) last time.
    const parent = depth >= 2 ? idx[depth - 1]! : -1;
    const guess = parent < 0 ? 0 : prev[depth]! > 0 ? paths.next[prev[depth]!]! : paths.first[parent]!;
    let name: string;
    let nameEnd: number;
    let q: number;
    const guessed = guess > 0 ? paths.names[guess]! : '';
    const after = guess > 0 ? xml.charCodeAt(lt + 1 + guessed.length) : 0;
    if (guess > 0 && (after === 62 || after === 47) && nameAt(xml, guessed, lt + 1)) {
      name = guessed;
      nameEnd = q = lt + 1 + guessed.length;
    } else {
      NAME.lastIndex = lt + 1;
      if (!NAME.test(xml)) return undefined;
      nameEnd = NAME.lastIndex;
      SPACE.lastIndex = nameEnd;
      SPACE.test(xml);
      q = SPACE.lastIndex;
      name = xml.slice(lt + 1, nameEnd);
    }
    const selfClosing = xml.charCodeAt(q) === 47;
    if (selfClosing) q++;
    if (xml.charCodeAt(q) !== 62) return undefined;
    p = q + 1;
    // Until text comes, the slot points at an empty text: before the next `<` (an open
    // element), or at this tag's own `<` (a self-closing one).
    const empty = selfClosing ? lt + 1 : p + 1;
    let i = -1;
    let first = false;
    if (depth === 0) {
      if (rootSeen) return undefined;
      rootSeen = true;
    } else if (depth === 1) {
      if (name === element) {
        memberStart = lt;
        i = 0;
        first = true;
        slots[0] = empty;
      }
    } else {
      if (parent >= 0) {
        i = guess > 0 && name === guessed ? guess : paths.child(parent, name);
        if (prev[depth]! > 0) paths.next[prev[depth]!] = i;
        else paths.first[parent] = i;
        if (i > maxSlot) maxSlot = i;
        const s = slots[i];
        first = s === 0 || s === undefined;
        if (first) slots[i] = empty;
        else (repeated ??= []).push(i);
      }
    }
    if (selfClosing) {
      if (depth === 1 && i === 0) endMember(p);
      prev[depth] = i;
      continue;
    }
    names[depth] = name;
    idx[depth] = i;
    firsts[depth] = first;
    pieces[depth] = 0;
    depth++;
    prev[depth] = 0;
  }
  if (depth !== 0 || !rootSeen) return undefined;
  return out;
}

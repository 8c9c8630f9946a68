/**
 * Kept `one.vmpool.info` listings, as segments of escaped UTF-8 bytes.
 *
 * At 100,000 VMs a whole listing is about 94 MB. Joining and encoding it again after every VM
 * change took about 2 s of event loop, during which no other call ran. Here a listing is a list
 * of segments, one per run of VMs whose ids fall in the same block of SEGMENT_IDS: a rebuild
 * keeps every segment whose VMs are the same objects with the same escaped short forms (a VM
 * drops its form when it changes), and renders only the others. The answer is written as that
 * list of buffers, never joined. Segments are looked up in every kept listing, so listings of
 * different views with the same VMs in a block share its bytes.
 *
 * A rebuild yields to the event loop every SLICE_MS, so small calls (one.vm.info) interleave
 * with it; while it runs, callers of the same listing wait for the same build.
 */
import { performance } from 'node:perf_hooks';
import type { VirtualMachine } from './virtual-machine.js';

/** VM ids per segment: small enough that re-rendering one is cheap, large enough that a 100,000-VM answer is ~1,600 buffers. */
export const SEGMENT_IDS = 64;
/** Longest stretch of rebuilding between two yields to the event loop. */
const SLICE_MS = 2;
/** Whole listings kept at once (distinct views and argument sets of `one.vmpool.info`). */
const MAX_KEPT = 16;
/**
 * A listing nobody asked for in this long is dropped at the next build: an out-of-date one holds
 * its bytes and its VMs' old forms (about twice the listing's size) only to be patched later.
 */
const IDLE_MS = 60_000;

const HEAD = Buffer.from('&lt;VM_POOL&gt;', 'latin1');
const TAIL = Buffer.from('&lt;/VM_POOL&gt;', 'latin1');

interface Segment {
  /** The block of ids (oid / SEGMENT_IDS). */
  readonly block: number;
  readonly vms: readonly VirtualMachine[];
  /** Each VM's escaped short form when the bytes were made (the same string while it is unchanged). */
  readonly forms: readonly string[];
  readonly bytes: Buffer;
}

interface Listing {
  readonly generation: number;
  /** When it was last served (Date.now()). */
  used: number;
  /** Segments by block, to patch from at the next rebuild. */
  readonly blocks: ReadonlyMap<number, Segment>;
  /** HEAD, the segments' bytes, TAIL: the answer. */
  readonly parts: readonly Buffer[];
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ShortListings {
  /** Kept listings, least recently used first. */
  private readonly kept = new Map<string, Listing>();
  private readonly building = new Map<string, { readonly generation: number; readonly parts: Promise<readonly Buffer[]> }>();

  /**
   * The listing of `key` at pool generation `generation`: kept bytes if it has not moved, else
   * built from `vms()` (in the order to list), reusing unchanged segments.
   */
  get(key: string, generation: number, vms: () => readonly VirtualMachine[]): readonly Buffer[] | Promise<readonly Buffer[]> {
    const kept = this.kept.get(key);
    if (kept && kept.generation === generation) {
      this.kept.delete(key);
      this.kept.set(key, kept);
      kept.used = Date.now();
      return kept.parts;
    }
    const running = this.building.get(key);
    if (running && running.generation === generation) return running.parts;
    const parts = this.build(key, generation, vms()).finally(() => {
      if (this.building.get(key)?.parts === parts) this.building.delete(key);
    });
    this.building.set(key, { generation, parts });
    return parts;
  }

  /** Drops every kept listing (tests, and memory when asked). */
  clear(): void {
    this.kept.clear();
  }

  private async build(key: string, generation: number, vms: readonly VirtualMachine[]): Promise<readonly Buffer[]> {
    const blocks = new Map<number, Segment>();
    const parts: Buffer[] = [HEAD];
    let sliceStart = performance.now();
    for (let i = 0; i < vms.length; ) {
      const block = Math.floor(vms[i]!.oid / SEGMENT_IDS);
      let j = i + 1;
      while (j < vms.length && Math.floor(vms[j]!.oid / SEGMENT_IDS) === block) j++;
      const run = vms.slice(i, j);
      i = j;
      // Rendered (or taken as kept) and compared in one synchronous step: the segment is one
      // consistent picture of its VMs.
      const forms = run.map((vm) => vm.toEscapedShortXml());
      const segment = this.reusable(key, block, run, forms) ?? { block, vms: run, forms, bytes: Buffer.from(forms.join(''), 'utf8') };
      blocks.set(block, segment);
      parts.push(segment.bytes);
      if (performance.now() - sliceStart > SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
    parts.push(TAIL);
    // VMs that changed while this ran are in it as they were then: the listing carries the
    // generation it started at, so the next call builds again (cheaply) if anything moved.
    // A build that started later (at a newer generation) may have ended first: it stays.
    if ((this.kept.get(key)?.generation ?? -1) > generation) return parts;
    this.kept.delete(key);
    const now = Date.now();
    for (const [k, l] of this.kept) if (now - l.used > IDLE_MS) this.kept.delete(k);
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { generation, used: now, blocks, parts });
    return parts;
  }

  /** A kept segment of `block` (this listing's first, then any other's) with exactly these VMs and forms. */
  private reusable(key: string, block: number, vms: readonly VirtualMachine[], forms: readonly string[]): Segment | undefined {
    const own = this.kept.get(key)?.blocks.get(block);
    if (own && same(own, vms, forms)) return own;
    for (const [k, listing] of this.kept) {
      if (k === key) continue;
      const other = listing.blocks.get(block);
      if (other && same(other, vms, forms)) return other;
    }
    return undefined;
  }
}

function same(s: Segment, vms: readonly VirtualMachine[], forms: readonly string[]): boolean {
  if (s.vms.length !== vms.length) return false;
  for (let i = 0; i < vms.length; i++) if (s.vms[i] !== vms[i] || s.forms[i] !== forms[i]) return false;
  return true;
}

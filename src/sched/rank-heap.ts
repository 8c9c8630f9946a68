/**
 * A max-heap of hosts by rank (ties: lower host id first). Each entry remembers the host's
 * version when it was ranked: an entry whose host changed since is stale and gets re-ranked
 * when it surfaces, so a cycle re-evaluates ranks only of hosts it dispatched to.
 */
import type { SchedHost } from './sched-host.js';

export interface RankedHost {
  readonly host: SchedHost;
  readonly rank: number;
  readonly version: number;
  /** Hosts of a higher tier come before any of a lower one, whatever their ranks (default 0). */
  readonly tier?: number;
}

function before(a: RankedHost, b: RankedHost): boolean {
  const ta = a.tier ?? 0;
  const tb = b.tier ?? 0;
  if (ta !== tb) return ta > tb;
  return a.rank > b.rank || (a.rank === b.rank && a.host.id < b.host.id);
}

export class RankHeap {
  private readonly items: RankedHost[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: RankedHost): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  peek(): RankedHost | undefined {
    return this.items[0];
  }

  pop(): RankedHost | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}

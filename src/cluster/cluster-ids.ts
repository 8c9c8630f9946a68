/** The clusters an object that may be in several (a datastore, a virtual network) is in. */
export class ClusterIds {
  private readonly set: Set<number>;
  private sorted: readonly number[] | null = null;

  constructor(ids: Iterable<number> = []) {
    this.set = new Set(ids);
  }

  /** Ascending, for `%cid` ACL rules and `<CLUSTERS>`. */
  get ids(): readonly number[] {
    return (this.sorted ??= [...this.set].sort((a, b) => a - b));
  }

  has(cid: number): boolean {
    return this.set.has(cid);
  }

  add(cid: number): void {
    this.set.add(cid);
    this.sorted = null;
  }

  delete(cid: number): void {
    this.set.delete(cid);
    this.sorted = null;
  }

  /** `<CLUSTERS><ID>…</ID>…</CLUSTERS>`. */
  toXml(): string {
    return `<CLUSTERS>${this.ids.map((id) => `<ID>${id}</ID>`).join('')}</CLUSTERS>`;
  }
}

/**
 * The driver operations a manager has started and not yet seen end (the image and marketplace
 * managers): each is tracked until it settles, a failure is logged rather than lost, and a stop
 * waits for all of them, including those started while waiting.
 */
export class DriverOperations {
  private readonly ops = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  track(op: Promise<void>): void {
    const p = op.catch(this.onError).finally(() => this.ops.delete(p));
    this.ops.add(p);
  }

  async settled(): Promise<void> {
    while (this.ops.size > 0) await Promise.all(this.ops);
  }
}

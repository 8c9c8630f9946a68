/**
 * Clients of oned kept alive per session: a server that acts for many users (oneflow-server,
 * occi-server) reuses one client, and its kept-alive connection, per `user:password`.
 */
import { Oca } from './index.js';

/** Clients of oned, kept alive per session (the most recent `max`). */
export class ClientCache {
  private readonly clients = new Map<string, Oca>();

  constructor(
    private readonly endpoint: string,
    private readonly max = 64,
  ) {}

  get(session: string): Oca {
    let c = this.clients.get(session);
    if (c) {
      this.clients.delete(session);
    } else {
      c = new Oca({ endpoint: this.endpoint, session, timeoutMs: 30_000 });
      if (this.clients.size >= this.max) {
        const [oldest, client] = this.clients.entries().next().value as [string, Oca];
        client.close();
        this.clients.delete(oldest);
      }
    }
    this.clients.set(session, c);
    return c;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

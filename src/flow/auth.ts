/**
 * Who oneflow-server talks to oned as. REST clients give an OpenNebula user's name and password
 * (or login token) by HTTP basic auth; every call made for the request uses those credentials,
 * so oned authorizes it as that user. The service engine works later, without a request: it
 * uses the server's own account (serveradmin, `$ONE_LOCATION/.one/oneflow_auth`, as OpenNebula's
 * OneFlow; else the ONE_AUTH account, an oneadmin-group user) to read and write the service documents and to get short login tokens of each
 * service's owner, and creates and removes the owner's VMs as the owner.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { ClientCache, Oca } from '../oca/index.js';
import { chooseServerSession as chooseSession } from '../oca/server-session.js';

export { basicSession } from '../common/basic-auth.js';
export { ClientCache } from '../oca/index.js';

/**
 * The files the server's own credentials may be in, in order: the conf's `one_auth`,
 * serveradmin's `$ONE_LOCATION/.one/oneflow_auth`, then ONE_AUTH (or ~/.one/one_auth).
 */
export function serverAuthCandidates(oneLocation: string, configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (configured) out.push(configured);
  const own = join(oneLocation, '.one', 'oneflow_auth');
  if (existsSync(own)) out.push(own);
  out.push(env.ONE_AUTH || join(homedir(), '.one', 'one_auth'));
  return [...new Set(out)];
}

/** The first of the credential files oned accepts (src/oca/server-session.ts), for oneflow-server. */
export function chooseServerSession(endpoint: string, files: readonly string[]): ReturnType<typeof chooseSession> {
  return chooseSession(endpoint, files, 'oneflow-server');
}

/** Clients acting as services' owners, from login tokens the server account takes for them. */
export class OwnerClients {
  private readonly tokens = new Map<string, { session: string; until: number }>();

  constructor(
    private readonly server: Oca,
    private readonly cache: ClientCache,
    private readonly validity: number,
  ) {}

  /** A client of `user` (a fresh token when the one held has less than a third of its life left). */
  async of(user: string): Promise<Oca> {
    if (user === this.server.client.user) return this.server;
    const now = Date.now();
    const held = this.tokens.get(user);
    if (held && held.until > now) return this.cache.get(held.session);
    const token = String(await this.server.client.call('one.user.login', user, '', this.validity, -1));
    const session = `${user}:${token}`;
    this.tokens.set(user, { session, until: now + (this.validity * 1000 * 2) / 3 });
    return this.cache.get(session);
  }
}

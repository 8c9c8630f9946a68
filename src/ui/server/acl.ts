/**
 * `POST /api/acl {rule}`: adds an ACL rule written as OpenNebula's CLI writes it
 * (`@1 VM+IMAGE/* USE+MANAGE [#0]`). oned takes the rule as hex components; the client library
 * turns the text into them (as `oneacl create` does), so the browser sends the text and sees
 * either the new rule's id, the library's reason the text is no rule, or oned's refusal.
 */
import type { Hono } from 'hono';
import { AclResource } from '../../oca/resources.js';
import { HttpError } from './errors.js';
import type { PoolHub } from './events.js';
import type { Session } from './sessions.js';

export function registerAcl(app: Hono<{ Variables: { session: Session } }>, hub: PoolHub): void {
  app.post('/api/acl', async (c) => {
    const s = c.get('session');
    let rule: unknown;
    try {
      rule = ((await c.req.json()) as { rule?: unknown }).rule;
    } catch {
      /* not JSON: refused below */
    }
    if (typeof rule !== 'string' || !rule.trim()) throw new HttpError(400, 'Enter a rule such as "@1 VM+IMAGE/* USE+MANAGE"');
    try {
      const id = await new AclResource(hub.clientFor(s)).addRule(rule);
      return c.json({ result: id });
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
  });
}

/**
 * Authentication runner (`one_auth_mad [--authn d1,d2]`), as OpenNebula's:
 *
 * - `AUTHENTICATE <req_id> <uid> <driver> <username> <password|-> <base64 secret>` runs
 *   `remotes/auth/<driver>/authenticate` on the front-end with
 *   `<AUTHN><USERNAME/><PASSWORD/><SECRET/></AUTHN>` on stdin (the stored password and the secret
 *   the user presented). Its stdout on success, `<driver> <username> <secret> [gid...]`, is the
 *   reply; `<password>` may hold blanks (an LDAP DN), so it is everything between the user name
 *   and the last field.
 * - `AUTHORIZE <req_id> <uid> <request...> <self_authorized 0|1>` answers what oned's own ACL
 *   check decided (the last field): oned authorizes with its ACL engine.
 */
import { xmlElement } from '../../common/xml.js';
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptRunner } from './script-runner.js';

/** Driver names become path components: keep them to plain names. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Action table of `one_auth_mad`; `drivers`: the `--authn` list (undefined: any in remotes/auth). */
export function authActions(runner: ScriptRunner, drivers?: ReadonlySet<string>): Map<string, ActionHandler> {
  return new Map<string, ActionHandler>([
    [
      'AUTHENTICATE',
      async (req, ctx) => {
        const [, driver, username, ...rest] = req.args;
        const secret64 = rest.pop();
        if (!driver || !username || secret64 === undefined || rest.length === 0) return { ok: false, info: 'AUTHENTICATE needs uid, driver, username, password and secret' };
        if (!NAME.test(driver) || (drivers && !drivers.has(driver))) return { ok: false, info: `Authentication driver '${driver}' not available` };
        const password = rest.join(' ');
        const secret = Buffer.from(secret64, 'base64').toString('utf8');
        const stdin = `<AUTHN>${xmlElement('USERNAME', username)}${xmlElement('PASSWORD', password === '-' ? '' : password)}${xmlElement('SECRET', secret)}</AUTHN>`;
        const r = await runner.run({ script: `auth/${driver}/authenticate`, args: [], stdin }, ctx);
        return { ok: r.ok, info: r.info };
      },
    ],
    ['AUTHORIZE', (req) => ({ ok: req.args[req.args.length - 1] === '1', info: req.args[req.args.length - 1] === '1' ? '' : 'Not authorized' })],
  ]);
}

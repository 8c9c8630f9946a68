/**
 * Consoles, the API half: `POST /api/vm/:id/console` asks oned (with the user's own session, so
 * oned decides whether this user may see the VM) where the VM's VNC server is, and answers a
 * random one-time token the page then trades for a websocket (console-proxy.ts). The token holds
 * the host and port server side; the browser never chooses where the proxy connects.
 */
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { child, childText, parseXmlTree, select } from '../../common/xml-tree.js';
import { HttpError } from './errors.js';
import type { PoolHub } from './events.js';
import type { Session } from './sessions.js';

export interface ConsoleTarget {
  /** vnc: bytes both ways to the VNC port; serial: the serial port's file on the host, read-only. */
  readonly kind: 'vnc' | 'serial';
  readonly vmId: number;
  readonly vmName: string;
  /** The host's name as oned knows it (HISTORY/HOSTNAME): reached directly or by ssh. */
  readonly host: string;
  /** GRAPHICS/LISTEN on the host ('' when unset). */
  readonly listen: string;
  readonly port: number;
  /** serial: the file the kvm driver writes the guest's first serial port to (`<vm dir>/console.log`). */
  readonly path?: string;
  readonly user: string;
  readonly sessionId: string;
}

interface Entry extends ConsoleTarget {
  readonly expires: number;
}

/** One-time console tokens, valid `seconds` before their use. */
export class ConsoleTokens {
  private readonly tokens = new Map<string, Entry>();
  constructor(private readonly seconds: number) {}

  issue(target: ConsoleTarget, now = Date.now()): { token: string; expiresAt: number } {
    this.sweep(now);
    const token = randomBytes(24).toString('base64url');
    const expires = now + this.seconds * 1000;
    this.tokens.set(token, { ...target, expires });
    return { token, expiresAt: expires };
  }

  /** The token's target, once: a used or expired token answers undefined. */
  consume(token: string, now = Date.now()): ConsoleTarget | undefined {
    const e = this.tokens.get(token);
    if (!e) return undefined;
    this.tokens.delete(token);
    return e.expires > now ? e : undefined;
  }

  private sweep(now: number): void {
    for (const [t, e] of this.tokens) if (e.expires <= now) this.tokens.delete(t);
  }
}

const ACTIVE = 3;
const RUNNING = 3;

/** Where a VM's VNC console is, from its `one.vm.info` XML; an HttpError saying why when it has none. */
export function vncTarget(xml: string): { vmId: number; vmName: string; host: string; listen: string; port: number; password: string } {
  const vm = parseXmlTree(xml);
  const vmId = Number(childText(vm, 'ID'));
  const vmName = childText(vm, 'NAME');
  const tpl = child(vm, 'TEMPLATE');
  const graphics = tpl ? select(tpl, 'GRAPHICS')[0] : undefined;
  if (!graphics || childText(graphics, 'TYPE').trim().toLowerCase() !== 'vnc')
    throw new HttpError(409, `VM ${vmId} (${vmName}) has no VNC console: its template has no GRAPHICS with TYPE=VNC`);
  if (Number(childText(vm, 'STATE')) !== ACTIVE || Number(childText(vm, 'LCM_STATE')) !== RUNNING)
    throw new HttpError(409, `VM ${vmId} (${vmName}) is not running: its console opens once it is RUNNING`);
  const history = select(vm, 'HISTORY_RECORDS/HISTORY');
  const host = history.length ? childText(history[history.length - 1]!, 'HOSTNAME').trim() : '';
  const port = Number(childText(graphics, 'PORT'));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new HttpError(409, `VM ${vmId} (${vmName}) has no host or VNC port yet: try again in a moment`);
  return { vmId, vmName, host, listen: childText(graphics, 'LISTEN').trim(), port, password: childText(graphics, 'PASSWD') };
}

/**
 * Where a VM's serial output is: our kvm driver connects the guest's first serial port to a file,
 * `<system datastore BASE_PATH>/<vm id>/console.log` on its host (no pty, no socket: there is
 * nothing to type into), so the serial console is a read-only view of that file.
 */
export function serialTarget(vmXml: string, dsXml: string): { vmId: number; vmName: string; host: string; path: string } {
  const vm = parseXmlTree(vmXml);
  const vmId = Number(childText(vm, 'ID'));
  const vmName = childText(vm, 'NAME');
  const history = select(vm, 'HISTORY_RECORDS/HISTORY');
  const last = history[history.length - 1];
  if (Number(childText(vm, 'STATE')) !== ACTIVE || !last)
    throw new HttpError(409, `VM ${vmId} (${vmName}) is not on a host: its serial output can be read while it is active`);
  if (childText(last, 'VM_MAD').trim() !== 'kvm' && childText(last, 'VM_MAD').trim() !== 'qemu')
    throw new HttpError(409, `VM ${vmId} (${vmName}) runs on a ${childText(last, 'VM_MAD')} host, whose driver keeps no serial output`);
  const base = childText(parseXmlTree(dsXml), 'BASE_PATH').trim().replace(/\/+$/, '');
  if (!base) throw new HttpError(409, `The system datastore of VM ${vmId} has no BASE_PATH`);
  return { vmId, vmName, host: childText(last, 'HOSTNAME').trim(), path: `${base}/${vmId}/console.log` };
}

/** Mounts `POST /api/vm/:id/console` and `/serial` (behind the app's session and CSRF checks). */
export function mountConsoleApi(app: Hono<{ Variables: { session: Session } }>, hub: PoolHub, tokens: ConsoleTokens): void {
  app.post('/api/vm/:id/console', async (c) => {
    const s = c.get('session');
    const id = c.req.param('id');
    if (!/^\d+$/.test(id)) throw new HttpError(400, 'A VM id is a whole number');
    const xml = await hub.clientFor(s).call('one.vm.info', Number(id));
    const target = vncTarget(String(xml));
    const { password, ...where } = target;
    const { token, expiresAt } = tokens.issue({ ...where, kind: 'vnc', user: s.user, sessionId: s.id });
    // The VNC password is the user's to know already (it is in their VM's template).
    return c.json({ token, expiresAt, vm: { id: target.vmId, name: target.vmName }, path: `/api/console/ws?token=${token}`, ...(password ? { password } : {}) });
  });

  app.post('/api/vm/:id/serial', async (c) => {
    const s = c.get('session');
    const id = c.req.param('id');
    if (!/^\d+$/.test(id)) throw new HttpError(400, 'A VM id is a whole number');
    const client = hub.clientFor(s);
    const vmXml = String(await client.call('one.vm.info', Number(id)));
    const history = select(parseXmlTree(vmXml), 'HISTORY_RECORDS/HISTORY');
    const dsId = history.length ? Number(childText(history[history.length - 1]!, 'DS_ID')) : -1;
    if (dsId < 0) throw new HttpError(409, `VM ${id} is not on a host: its serial output can be read while it is active`);
    // The user's own session again: a user who may not see the system datastore gets oned's refusal.
    const target = serialTarget(vmXml, String(await client.call('one.datastore.info', dsId)));
    const { token, expiresAt } = tokens.issue({ ...target, kind: 'serial', listen: '', port: 0, user: s.user, sessionId: s.id });
    return c.json({ token, expiresAt, vm: { id: target.vmId, name: target.vmName }, path: `/api/console/ws?token=${token}` });
  });
}

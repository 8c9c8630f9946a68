/**
 * `GET /api/vm/:id/log`: the tail of a VM's own log, `$ONE_LOCATION/var/vms/<id>/vm.log`,
 * which oned writes beside itself (the server runs on oned's machine with the same
 * ONE_LOCATION). oned has no method that serves the file, so the server reads it, but only
 * after oned said the user may see the VM (`one.vm.info` with the user's own token): the
 * file never shows more than the API would.
 */
import { open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Hono } from 'hono';
import { HttpError } from './errors.js';
import type { PoolHub } from './events.js';
import type { Session } from './sessions.js';

/** Lines the page shows: enough for a VM's whole life on most clouds. */
export const LOG_LINES = 2000;
/** Bytes read from the end of the file: 2000 lines of vm.log are far less than this. */
const TAIL_BYTES = 1024 * 1024;

/** Where oned keeps VM directories: as oned finds its location (ONE_LOCATION, else the package's var/). */
export function vmsDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = resolve(env.ONE_LOCATION || join(import.meta.dirname, '../../../../var'));
  return join(root, 'var', 'vms');
}

/** The last `lines` lines of a file (reading at most TAIL_BYTES from its end); null when there is no file. */
export async function tailLines(file: string, lines: number): Promise<{ text: string; truncated: boolean } | null> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return null;
  }
  const start = Math.max(0, size - TAIL_BYTES);
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    let all = buf.toString('utf8').split('\n');
    if (start > 0) all = all.slice(1); // the first line read is likely cut
    if (all[all.length - 1] === '') all.pop();
    const truncated = start > 0 || all.length > lines;
    return { text: all.slice(-lines).join('\n'), truncated };
  } finally {
    await fh.close();
  }
}

type Env = { Variables: { session: Session } };

export function registerVmLogRoutes(app: Hono<Env>, hub: PoolHub, dir = vmsDir()): void {
  app.get('/api/vm/:id/log', async (c) => {
    const raw = c.req.param('id');
    if (!/^\d+$/.test(raw)) throw new HttpError(400, 'A VM id is a whole number');
    const id = Number(raw);
    // oned decides whether this user may see the VM; its refusal (403/404) goes to the page as it is.
    await hub.clientFor(c.get('session')).call('one.vm.info', id);
    const tail = await tailLines(join(dir, String(id), 'vm.log'), LOG_LINES);
    if (!tail) return c.json({ id, exists: false, lines: [], message: `VM ${id} has no log yet: oned writes vm.log when the VM first changes state.` });
    return c.json({ id, exists: true, lines: tail.text === '' ? [] : tail.text.split('\n'), truncated: tail.truncated });
  });
}

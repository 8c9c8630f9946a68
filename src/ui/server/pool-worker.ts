/**
 * The pool reader of sunstone-server, run as a worker thread (see pool-thread.ts): it calls
 * oned's pool listings, and reads the changed ones into rows, away from the server's event loop
 * (a 20,000-VM listing is ~15 MB of XML: decoding, parsing and building rows take ~0.4 s).
 * It keeps the last XML of each watcher, so an unchanged listing is answered without parsing.
 * One OneClient per session (kept-alive connections); sessions are never logged.
 */
import { parentPort } from 'node:worker_threads';
import { OneClient } from '../../oca/client.js';
import { OneConnectionError, OneError } from '../../oca/errors.js';
import { POOL_KINDS, readListing } from './pool-kinds.js';
import type { ToWorker, FromWorker, WireError, PollRequest } from './pool-thread.js';

/** A session's client is closed after this long without a poll. */
const IDLE_CLIENT_MS = 10 * 60_000;

interface Held {
  readonly client: OneClient;
  used: number;
}

const clients = new Map<string, Held>();
/** The last listing read for each watcher, and the token the watcher holds it under. */
const last = new Map<string, { xml: string; token: number }>();

const clientKey = (endpoint: string, session: string) => `${endpoint}\n${session}`;

function clientFor(req: PollRequest): OneClient {
  const k = clientKey(req.endpoint, req.session);
  let h = clients.get(k);
  if (!h) clients.set(k, (h = { client: new OneClient({ endpoint: req.endpoint, session: req.session, timeoutMs: req.timeoutMs }), used: 0 }));
  h.used = Date.now();
  return h.client;
}

function wire(err: unknown): WireError {
  if (err instanceof OneError) return { type: 'one', method: err.method, message: err.message, code: err.code, objectId: err.objectId };
  if (err instanceof OneConnectionError) return { type: 'connection', message: err.message };
  return { type: 'other', message: err instanceof Error ? err.message : String(err) };
}

async function poll(req: PollRequest): Promise<FromWorker> {
  const kind = POOL_KINDS[req.kind];
  if (!kind) return { id: req.id, ok: false, error: { type: 'other', message: `No such pool: ${req.kind}` } };
  try {
    const xml = String(await clientFor(req).call(req.method, ...req.args));
    const held = last.get(req.key);
    if (held && req.have !== 0 && held.token === req.have && held.xml === xml) return { id: req.id, ok: true, changed: false };
    const { rows, haystack } = readListing(kind, xml);
    last.set(req.key, { xml, token: req.next });
    return { id: req.id, ok: true, changed: true, rows, haystack };
  } catch (err) {
    return { id: req.id, ok: false, error: wire(err) };
  }
}

const port = parentPort!;
port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'poll':
      void poll(m).then((answer) => port.postMessage(answer));
      break;
    case 'drop':
      last.delete(m.key);
      break;
    case 'forget':
      for (const [k, h] of clients)
        if (k.endsWith(`\n${m.session}`)) {
          h.client.close();
          clients.delete(k);
        }
      break;
  }
});

setInterval(() => {
  const now = Date.now();
  for (const [k, h] of clients)
    if (now - h.used > IDLE_CLIENT_MS) {
      h.client.close();
      clients.delete(k);
    }
}, 60_000).unref();

/**
 * Fetching Ganglia dumps: connect to gmond/gmetad over TCP, read the XML it writes until it
 * closes, parse it as it arrives. Dumps are kept `cacheMs` per endpoint, and requests for an
 * endpoint whose dump is being read wait for that one: with a central gmetad, one read serves
 * the rounds of every host it knows (oned spreads them over the interval).
 */
import { connect } from 'node:net';
import { GangliaXmlReader, type GangliaDump } from './gmond-xml.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Largest dump read (a gmetad of 10,000 hosts writes about 150 MB with every metric). */
const MAX_BYTES = 1 << 30;

/** Reads one dump. @throws with the endpoint named when it cannot be reached or read */
export function readDump(ep: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<GangliaDump> {
  const where = `${ep.host}:${ep.port}`;
  return new Promise((resolve, reject) => {
    const reader = new GangliaXmlReader();
    let bytes = 0;
    let done = false;
    const socket = connect({ host: ep.host, port: ep.port });
    const fail = (why: string) => {
      if (done) return;
      done = true;
      socket.destroy();
      signal?.removeEventListener('abort', onAbort);
      reject(new Error(`Cannot read Ganglia XML from ${where}: ${why}`));
    };
    const onAbort = () => fail('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => fail(`no data for ${Math.round(timeoutMs / 1000)} s`));
    // gmond and gmetad declare ISO-8859-1.
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > MAX_BYTES) return fail(`more than ${MAX_BYTES} bytes`);
      try {
        reader.write(chunk);
      } catch (err) {
        fail(`bad XML: ${(err as Error).message}`);
      }
    });
    socket.on('error', (err) => fail(err.message));
    socket.on('end', () => {
      if (done) return;
      try {
        const dump = reader.end();
        done = true;
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(dump);
      } catch (err) {
        fail(bytes === 0 ? 'the connection closed without data' : `bad XML: ${(err as Error).message}`);
      }
    });
  });
}

/** Dumps by endpoint, kept `cacheMs`; one read at a time per endpoint. */
export class DumpCache {
  private readonly entries = new Map<string, { at: number; dump: Promise<GangliaDump> }>();

  constructor(
    private readonly cacheMs: number,
    private readonly timeoutMs: number,
    private readonly read: typeof readDump = readDump,
  ) {}

  get(ep: Endpoint, now = Date.now()): Promise<GangliaDump> {
    const key = `${ep.host}:${ep.port}`;
    const hit = this.entries.get(key);
    if (hit && (hit.at === 0 || now - hit.at < this.cacheMs)) return hit.dump;
    // at = 0 while being read: waiters share it; failures are not kept.
    const entry = { at: 0, dump: this.read(ep, this.timeoutMs) };
    this.entries.set(key, entry);
    entry.dump.then(
      () => {
        entry.at = Date.now();
        if (this.cacheMs <= 0 && this.entries.get(key) === entry) this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    // Entries of endpoints not asked for a while go (hosts removed).
    if (this.entries.size > 64) for (const [k, e] of this.entries) if (e.at > 0 && now - e.at > this.cacheMs) this.entries.delete(k);
    return entry.dump;
  }
}

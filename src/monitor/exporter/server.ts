/**
 * The exporter's HTTP server: `GET /metrics` answers the OpenNebula families (collector.ts) and,
 * after them, the exporter process's own metrics from prom-client (CPU, memory, event loop lag,
 * and how long its last collection took); `GET /` a page linking to it. gzip when the scraper
 * accepts it (Prometheus does): the cached families are compressed once per collection and the
 * small process part on each scrape, two gzip members one after the other, which gzip readers
 * (Prometheus's among them) read as one text.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Collector } from './collector.js';

const PAGE = '<!DOCTYPE html><html><head><title>OpenNebula Exporter</title></head><body><h1>OpenNebula Exporter</h1><p><a href="/metrics">Metrics</a></p></body></html>\n';

export interface ExporterServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The exporter's own metrics (prom-client's process and Node.js metrics, and its collections). */
function processRegistry(collector: Collector): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let last: { collectMs: number; errors: number } | undefined;
  new Gauge({
    name: 'nebula_exporter_collect_duration_seconds',
    help: 'How long the last collection took: the pool calls to oned, mapping and rendering',
    registers: [registry],
    collect() {
      if (last) this.set(last.collectMs / 1000);
    },
  });
  new Gauge({
    name: 'nebula_exporter_collect_errors',
    help: 'Pool calls that failed in the last collection (their messages are in the exporter log)',
    registers: [registry],
    collect() {
      if (last) this.set(last.errors);
    },
  });
  new Gauge({
    name: 'nebula_exporter_collections',
    help: 'Collections made since the exporter started (a scrape within cache_ttl of the last one is served from memory)',
    registers: [registry],
    collect() {
      this.set(collector.collections);
    },
  });
  collector.onCollected = (s) => (last = { collectMs: s.collectMs, errors: s.errors.length });
  return registry;
}

export async function startHttpServer(collector: Collector, host: string, port: number): Promise<ExporterServer> {
  const registry = processRegistry(collector);
  const metrics = async (req: IncomingMessage, res: ServerResponse) => {
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const own = await registry.metrics();
    const headers = { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' };
    if (gzip) {
      const { body } = await collector.scrapeGzipped();
      res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip' });
      res.write(body);
      res.end(gzipSync(own, { level: 1 }));
    } else {
      const scrape = await collector.scrape();
      res.writeHead(200, headers);
      res.write(scrape.text);
      res.end(own);
    }
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    } else if (path === '/metrics') {
      metrics(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`collection failed: ${(err as Error).message}\n`);
      });
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
    }
  });
  // A collection of a large cloud on a busy front-end may outlast Node's 5-minute request limit;
  // the scraper's own scrape_timeout is the limit that matters.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

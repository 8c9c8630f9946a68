/**
 * opennebula-exporter: OpenNebula's Prometheus exporter for nebula-ts, a client of oned through
 * the client library. See docs/monitoring.md.
 */
import { Oca } from '../../oca/index.js';
import { Collector } from './collector.js';
import type { ExporterConfig } from './config.js';
import { startHttpServer, type ExporterServer } from './server.js';
import { localServices, serverFqdn } from './services.js';

export { Collector, type Scrape } from './collector.js';
export { ConfigError, configPath, loadConfig, DEFAULTS, type ExporterConfig } from './config.js';
export { datastoreFamilies, hostFamilies, serverFamilies, vmFamilies } from './mapping.js';
export { DATASTORE_FAMILIES, HOST_FAMILIES, SERVER_FAMILIES, VM_FAMILIES } from './families.js';

/** Starts serving `/metrics` for the oned at `endpoint`, reading the pools as `session`. */
export async function startExporter(conf: ExporterConfig, endpoint: string, session: string): Promise<ExporterServer & { readonly collector: Collector }> {
  const oca = new Oca({ endpoint, session, timeoutMs: conf.timeout * 1000 });
  const collector = new Collector(oca, { ttlMs: conf.cache_ttl * 1000, fqdn: await serverFqdn(), services: () => localServices() });
  const server = await startHttpServer(collector, conf.host, conf.port);
  return {
    url: server.url,
    collector,
    close: async () => {
      await server.close();
      oca.close();
    },
  };
}

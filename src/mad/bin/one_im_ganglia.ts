#!/usr/bin/env node
/**
 * `one_im_ganglia [-t threads] [-g host[:port]] [-p port] [-c cache_seconds] [-w timeout]`:
 * information driver reading hosts' (and their VMs') monitoring from Ganglia's XML: each host's
 * own gmond on port 8649 by default, or the gmond/gmetad given with `-g` (docs/monitoring.md).
 */
import { DumpCache, gangliaImActions, GMOND_PORT, parseEndpoint } from '../ganglia/index.js';
import { intOption, parseDriverArgs, runDriver } from '../server/index.js';

runDriver('one_im_ganglia', () => {
  const args = parseDriverArgs(process.argv.slice(2), {
    gmond: { type: 'string', short: 'g' },
    port: { type: 'string', short: 'p' },
    cache: { type: 'string', short: 'c' },
  });
  const port = intOption(args.values.port, '-p', GMOND_PORT, 1);
  const server = args.values.gmond === undefined ? undefined : parseEndpoint(args.values.gmond, port);
  const cacheSec = intOption(args.values.cache, '-c', 10, 0);
  const timeoutMs = args.timeoutMs || 30_000;
  // Each host's own gmond: a dump serves that host only (and may hold its whole multicast
  // cluster), so none is kept past the rounds waiting for it.
  const cache = new DumpCache(server ? cacheSec * 1000 : 0, timeoutMs);
  return { actions: gangliaImActions({ server: server?.host, port: server?.port ?? port, cache }), concurrency: args.threads };
});

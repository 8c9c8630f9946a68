/**
 * What the marketplace tests serve: a real web server (Debian's busybox httpd, installed on
 * demand as .ci/run installs tools) publishing a folder on 127.0.0.1, catalogues in OpenNebula's
 * public marketplace format, and a server whose downloads break half-way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './harness.js';

/** Installs busybox-static when busybox is missing (needs root and a Debian mirror). */
export function ensureBusybox(): void {
  if (spawnSync('busybox', ['true']).status === 0) return;
  spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static'], { stdio: 'ignore' });
  if (spawnSync('busybox', ['true']).status !== 0) throw new Error('busybox (Debian package busybox-static) is needed to serve the http marketplace');
}

/** `busybox httpd -f` publishing `root` at http://127.0.0.1:<port>/. */
export class WebServer {
  private constructor(private readonly proc: ChildProcess, readonly url: string) {}

  static async start(root: string): Promise<WebServer> {
    ensureBusybox();
    mkdirSync(root, { recursive: true });
    const port = await freePort();
    const proc = spawn('busybox', ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', root], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${url}/`).then(() => true, () => false);
      if (up) return new WebServer(proc, url);
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill();
    throw new Error('busybox httpd did not start');
  }

  stop(): void {
    this.proc.kill();
  }
}

export interface CatalogueApp {
  readonly id: string;
  readonly name: string;
  readonly version?: string;
  readonly md5?: string;
  readonly size?: number;
  readonly opennebula_template?: string;
}

/** The JSON of `GET <endpoint>/appliance`, as marketplace.opennebula.io answers it. */
export function catalogueJson(apps: readonly CatalogueApp[]): string {
  return JSON.stringify({
    sEcho: 1,
    appliances: apps.map((a) => ({
      _id: { $oid: a.id },
      name: a.name,
      type: 'IMAGE',
      publisher: 'Test Systems',
      format: 'raw',
      short_description: `${a.name} for tests`,
      version: a.version ?? '1.0',
      tags: ['test', 'tiny'],
      creation_time: 1700000000,
      os_id: 'Test',
      files: [{ name: a.name, size: String(a.size ?? 1048576), md5: a.md5 ?? '', dev_prefix: 'vd', type: 'OS' }],
      opennebula_template: a.opennebula_template ?? '',
    })),
  });
}

/**
 * Writes a catalogue under `root/<dir>` for busybox httpd: `appliance/index.html` (GET
 * /appliance is redirected to /appliance/) and each app's file at appliance/<id>/download/0.
 */
export function writeCatalogue(root: string, dir: string, apps: readonly (CatalogueApp & { data?: Buffer })[]): void {
  const base = join(root, dir, 'appliance');
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'index.html'), catalogueJson(apps));
  for (const a of apps) {
    if (!a.data) continue;
    mkdirSync(join(base, a.id, 'download'), { recursive: true });
    writeFileSync(join(base, a.id, 'download', '0'), a.data);
  }
}

/** A catalogue whose one app ("flaky") announces `size` bytes and sends half of them before the connection drops. */
export async function flakyCatalogue(size: number): Promise<{ url: string; server: Server }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    if (req.url === '/appliance' || req.url === '/appliance/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(catalogueJson([{ id: 'flaky', name: 'flaky-app', size }]));
      return;
    }
    if (req.url === '/appliance/flaky/download/0') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
      res.write(Buffer.alloc(size / 2, 7), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, server };
}

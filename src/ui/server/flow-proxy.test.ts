import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Hono } from 'hono';
import { flowErrorMessage, registerFlowProxy } from './flow-proxy.js';
import type { Session } from './sessions.js';

const SESSION: Session = { id: 's', user: 'alice', uid: 3, oneSession: 'alice:tok3n', csrf: 'c', admin: false, expiresAt: Date.now() + 60_000 };

function appWith(url: string, changed?: () => void) {
  const app = new Hono<{ Variables: { session: Session } }>();
  app.use('*', async (c, next) => {
    c.set('session', SESSION);
    await next();
  });
  registerFlowProxy(app, { url, timeoutMs: 2000, changed });
  return app;
}

test("OneFlow's error bodies read as one message", () => {
  assert.equal(flowErrorMessage(400, '{"error":{"message":"Role web not found"}}'), 'Role web not found');
  assert.equal(flowErrorMessage(401, '{"error":"bad auth"}'), 'bad auth');
  assert.equal(flowErrorMessage(500, 'plain words\n'), 'plain words');
  assert.equal(flowErrorMessage(500, ''), 'oneflow-server answered 500');
});

test("requests go to oneflow-server with the user's basic credentials; refusals and a dead server are told", async () => {
  const seen: { method: string; url: string; auth: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body });
      if (req.url === '/service_template/9') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{"message":"Error getting document [9]."}}');
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ DOCUMENT_POOL: {} }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let changes = 0;
  const app = appWith(url, () => changes++);
  try {
    const list = await app.request('/api/flow/service_template');
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { DOCUMENT_POOL: {} });
    assert.equal(seen[0]!.auth, `Basic ${Buffer.from('alice:tok3n').toString('base64')}`);

    const made = await app.request('/api/flow/service_template/4/action', { method: 'POST', body: '{"action":{"perform":"instantiate"}}' });
    assert.equal(made.status, 200);
    assert.equal(seen[1]!.body, '{"action":{"perform":"instantiate"}}');
    assert.equal(changes, 1);

    const missing = await app.request('/api/flow/service_template/9');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, 'Error getting document [9].');

    assert.equal((await app.request('/api/flow/../etc/passwd')).status, 404);
    assert.equal((await app.request('/api/flow/user')).status, 404);
  } finally {
    server.close();
  }
  const dead = await appWith(url).request('/api/flow/service');
  assert.equal(dead.status, 502);
  const body = (await dead.json()) as { error: string; oneflow: string };
  assert.equal(body.oneflow, 'down');
  assert.match(body.error, /oneflow-server \(http:\/\/127\.0\.0\.1:\d+\) does not answer/);
});

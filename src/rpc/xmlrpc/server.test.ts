import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import {
  Double,
  encodeMethodCall,
  FaultCode,
  XmlRpcClient,
  XmlRpcFault,
  XmlRpcServer,
  type CallHandler,
  type XmlRpcServerOptions,
  type XmlRpcValue,
} from './index.js';

interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  handler: CallHandler,
  options: Partial<XmlRpcServerOptions> = {},
): Promise<{ server: XmlRpcServer; port: number; url: string; client: XmlRpcClient }> {
  const server = new XmlRpcServer({ host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, handler, ...options });
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}/RPC2`;
  const client = new XmlRpcClient(url, { maxSockets: 4 });
  cleanups.push(() => server.close(), () => client.close());
  return { server, port, url, client };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** One plain HTTP request (a fresh connection unless an agent is given). */
function request(
  port: number,
  options: { method?: string; path?: string; body?: string | Buffer; chunked?: boolean; agent?: http.Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'POST',
      path: options.path ?? '/RPC2',
      agent: options.agent ?? false,
      headers: options.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), reusedSocket: req.reusedSocket }),
      );
    });
    req.end(body);
  });
}

/** Keeps this process's event loop busy for `ms`. */
function busyFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

function isFault(code: number, message?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof XmlRpcFault, `expected an XmlRpcFault, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

describe('XmlRpcServer', () => {
  it('answers a call with the value the handler returns', async () => {
    const { client } = await start((call, ctx) => [call.method, call.params, ctx.remoteAddress]);
    assert.deepEqual(await client.call('one.user.info', ['oneadmin:pw', -1]), [
      'one.user.info',
      ['oneadmin:pw', -1],
      '127.0.0.1',
    ]);
  });

  it('sends text/xml with a correct Content-Length and keeps the connection alive', async () => {
    const { port } = await start(() => [true, 'ñ', 0]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const body = encodeMethodCall('one.system.version', ['a:b']);
    const first = await request(port, { body, agent });
    const second = await request(port, { body, agent });
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'text/xml');
    assert.equal(Number(first.headers['content-length']), Buffer.byteLength(first.body));
    assert.match(first.body, /<string>ñ<\/string>/);
    assert.equal(second.reusedSocket, true);
  });

  it("answers a handler's XmlRpcFault with that fault", async () => {
    const { client } = await start((call) => {
      throw new XmlRpcFault(FaultCode.NO_SUCH_METHOD, `method ${call.method} does not exist`);
    });
    await assert.rejects(client.call('one.nope', []), isFault(-506, /^method one\.nope does not exist$/));
  });

  it('answers any other error with fault -500 and reports it to onError only', async () => {
    const errors: unknown[] = [];
    const { client } = await start(
      async () => {
        throw new Error('secret detail');
      },
      { onError: (err) => errors.push(err) },
    );
    await assert.rejects(client.call('one.user.info', []), isFault(FaultCode.INTERNAL, /^Internal error$/));
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /secret detail/);
  });

  it('answers unreadable requests with parse and UTF-8 faults', async () => {
    const calls: string[] = [];
    const { port } = await start((call) => {
      calls.push(call.method);
      return 1;
    });
    const malformed = await request(port, { body: '<methodCall>\n<methodName>m</methodName>\n<params><param>' });
    assert.match(malformed.body, /<int>-503<\/int>.*line 3, column \d+/s);
    const nameless = await request(port, { body: '<methodCall><params/></methodCall>' });
    assert.match(nameless.body, /<int>-503<\/int>.*without &lt;methodName&gt;/s);
    const latin1 = await request(port, { body: Buffer.from('<methodCall><methodName>caf\xe9</methodName></methodCall>', 'latin1') });
    assert.match(latin1.body, /<int>-510<\/int>/);
    assert.deepEqual(calls, []);
  });

  it('answers 404 off the RPC path and 405 for other methods', async () => {
    const { port } = await start(() => 'ok');
    assert.equal((await request(port, { path: '/RPC3' })).status, 404);
    assert.equal((await request(port, { path: '/' , method: 'GET' })).status, 404);
    const get = await request(port, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    const withQuery = await request(port, { path: '/RPC2?x=1', body: encodeMethodCall('m', []) });
    assert.match(withQuery.body, /<string>ok<\/string>/);
  });

  it('refuses bodies over maxBodyBytes with fault -509 and closes the connection', async () => {
    let called = false;
    const { port, client } = await start(
      () => {
        called = true;
        return 1;
      },
      { maxBodyBytes: 1024 },
    );
    await assert.rejects(client.call('m', ['x'.repeat(4_000_000)]), isFault(FaultCode.LIMIT_EXCEEDED, /4000\d+ bytes.*1024 bytes/));
    const chunked = await request(port, { body: 'x'.repeat(5000), chunked: true });
    assert.equal(chunked.headers.connection, 'close');
    assert.match(chunked.body, /<int>-509<\/int>.*more than 1024 bytes/s);
    assert.equal(called, false);
    assert.equal(await client.call('m', ['fits']), 1);
  });

  it('serves 200 concurrent calls over a few keep-alive sockets', async () => {
    const { client } = await start(async (call) => {
      await new Promise((resolve) => setImmediate(resolve));
      return [call.params[0]!, call.method];
    });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call(`m${i}`, [i])));
    assert.deepEqual(
      results,
      Array.from({ length: 200 }, (_, i) => [i, `m${i}`]),
    );
  });

  it('does not let a slow call hold up others', async () => {
    const release = deferred();
    const { client } = await start(async (call) => {
      if (call.method === 'slow') await release.promise;
      return call.method;
    });
    const slow = client.call('slow', []);
    assert.equal(await client.call('fast', []), 'fast');
    release.resolve();
    assert.equal(await slow, 'slow');
  });

  it('close() stops accepting, finishes the call in flight and closes idle connections', async () => {
    const started = deferred();
    const release = deferred();
    const { server, url, client } = await start(async (call) => {
      if (call.method === 'slow') {
        started.resolve();
        await release.promise;
      }
      return call.method;
    });
    const idle = new XmlRpcClient(url);
    cleanups.push(() => idle.close());
    assert.equal(await idle.call('warm-up', []), 'warm-up');
    const slow = client.call('slow', []);
    await started.promise;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    const late = new XmlRpcClient(url);
    cleanups.push(() => late.close());
    await assert.rejects(late.call('late', []), { code: 'ECONNREFUSED' });
    assert.equal(closed, false);
    release.resolve();
    assert.equal(await slow, 'slow');
    await closing;
  });

  it('cuts off a client that does not send its body within the request timeout', async () => {
    const { port } = await start(() => 1, { requestTimeoutSec: 0.3 });
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(data));
      socket.write('POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<methodCall>');
    });
    assert.match(reply, /^HTTP\/1\.1 408/);
  });

  it('closes a connection that begins no request within the request timeout', async () => {
    const { port, client } = await start(() => 1, { requestTimeoutSec: 0.3 });
    const started = Date.now();
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      // Read (nothing comes): a paused socket would never see the server's FIN.
      socket.resume();
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    assert.equal(closed, true, 'the idle connection was left open');
    assert.ok(Date.now() - started >= 250);
    assert.equal(await client.call('m', []), 1);
  });

  it('serves a connection whose request came while the server was busy for longer than the request timeout', async () => {
    const { port } = await start(
      (call) => {
        if (call.method === 'busy') busyFor(1500);
        return call.method;
      },
      { requestTimeoutSec: 0.5 },
    );
    // The client is a process of its own, so it sends while this one is busy: connection A is
    // accepted, then the server gets busy (a call on B), then A's request comes.
    const script = `import net from 'node:net';
      const call = (m) => { const b = '<?xml version="1.0"?><methodCall><methodName>' + m + '</methodName><params/></methodCall>';
        return 'POST /RPC2 HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: text/xml\\r\\nContent-Length: ' + b.length + '\\r\\n\\r\\n' + b; };
      const wait = (ms) => new Promise((r) => setTimeout(r, ms));
      const a = net.connect(${port}, '127.0.0.1');
      let answer = '';
      a.on('data', (d) => { answer += d; if (answer.includes('</methodResponse>')) { console.log(answer); process.exit(0); } });
      a.on('close', () => { console.log(answer || 'closed'); process.exit(0); });
      a.on('error', () => {});
      await new Promise((r) => a.once('connect', r));
      await wait(100);
      const b = net.connect(${port}, '127.0.0.1', () => b.write(call('busy')));
      b.on('error', () => {});
      await wait(300);
      a.write(call('late'));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => child.kill());
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.once('exit', r));
    assert.match(out, /^HTTP\/1\.1 200[\s\S]*late/);
  });

  it('refuses arrays nested deeper than maxNesting with fault -503, and reads those at the limit', async () => {
    const { client } = await start((call) => call.params.length, { maxNesting: 3 });
    assert.equal(await client.call('m', [[[[1]]]]), 1);
    await assert.rejects(client.call('m', [[[[[1]]]]]), isFault(FaultCode.PARSE, /nested more than 3 deep/));
    await assert.rejects(client.call('m', [{ a: { b: { c: { d: 1 } } } }]), isFault(FaultCode.PARSE, /nested more than 3 deep/));
  });

  it('at maxConnections, closes the oldest connection that never began a request to serve a new one', async () => {
    const { port, url } = await start((call) => call.method, { maxConnections: 2 });
    const caller = new XmlRpcClient(url, { maxSockets: 1 });
    cleanups.push(() => caller.close());
    assert.equal(await caller.call('first', []), 'first');
    const idle: net.Socket[] = [];
    const closedIdle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.resume();
      s.on('close', () => closedIdle.push(i));
      cleanups.push(() => s.destroy());
      await new Promise((r) => s.once('connect', r));
      idle.push(s);
    }
    // Each new idle connection took the place of the previous one; the caller kept its connection.
    assert.equal(await caller.call('second', []), 'second');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(closedIdle.sort(), [0, 1, 2, 3]);
    assert.equal(idle[4]!.destroyed, false);
  });

  it('with maxConnections, makes further connections wait and drops those beyond the backlog', async () => {
    const holding = deferred();
    const release = deferred();
    const calls: string[] = [];
    const { port } = await start(
      async (call) => {
        calls.push(call.method);
        if (call.method === 'hold') {
          holding.resolve();
          await release.promise;
        }
        return call.method;
      },
      { maxConnections: 1, connectionBacklog: 1 },
    );
    const held = request(port, { body: encodeMethodCall('hold', []) });
    await holding.promise;
    const waiting = request(port, { body: encodeMethodCall('waited', []) });
    // The server accepts in connection order: this one finds the single backlog place taken.
    await assert.rejects(request(port, { body: encodeMethodCall('dropped', []) }));
    release.resolve();
    assert.match((await held).body, /hold/);
    assert.match((await waiting).body, /waited/);
    assert.deepEqual(calls, ['hold', 'waited']);
  });
});

describe('XmlRpcClient', () => {
  it('gives up after timeoutMs', async () => {
    const release = deferred();
    const { url } = await start(async () => {
      await release.promise;
      return 1;
    });
    const client = new XmlRpcClient(url, { timeoutMs: 100 });
    cleanups.push(() => client.close());
    await assert.rejects(client.call('slow', []), { code: 'ETIMEDOUT' });
    release.resolve();
  });

  it('reports HTTP errors', async () => {
    const { port } = await start(() => 1);
    const client = new XmlRpcClient(`http://127.0.0.1:${port}/elsewhere`);
    cleanups.push(() => client.close());
    await assert.rejects(client.call('m', []), /HTTP 404/);
  });
});

interface NpmXmlRpcClient {
  methodCall(method: string, params: unknown[], callback: (err: unknown, value: unknown) => void): void;
}

describe('compatibility with the npm xmlrpc and opennebula packages', () => {
  const require = createRequire(import.meta.url);
  const xmlrpc = require('xmlrpc') as { createClient(options: { host: string; port: number; path: string }): NpmXmlRpcClient };

  const onedLike: CallHandler = (call) => {
    switch (call.method) {
      case 'one.system.version':
        return [true, '7.0.0', 0];
      case 'one.user.info':
        return [true, '<USER><ID>0</ID><NAME>oneadmin</NAME></USER>', 0];
      case 'one.vm.info':
        return [false, '[one.vm.info] Error getting virtual machine [7].', 1024, 7, 0];
      case 'echo':
        return call.params;
      case 'big':
        return 2 ** 40;
      default:
        throw new XmlRpcFault(FaultCode.NO_SUCH_METHOD, `method ${call.method} does not exist`);
    }
  };

  it("the npm xmlrpc client's calls are understood and our responses decoded", async () => {
    const seen: XmlRpcValue[][] = [];
    const { port } = await start((call, ctx) => {
      seen.push(call.params);
      return onedLike(call, ctx);
    });
    const client = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/RPC2' });
    const methodCall = (method: string, params: unknown[]) =>
      new Promise<unknown>((resolve, reject) => client.methodCall(method, params, (err, value) => (err ? reject(err) : resolve(value))));

    assert.deepEqual(await methodCall('one.user.info', ['oneadmin:pw', -1]), [true, '<USER><ID>0</ID><NAME>oneadmin</NAME></USER>', 0]);
    assert.deepEqual(seen[0], ['oneadmin:pw', -1]);
    assert.deepEqual(await methodCall('one.vm.info', ['oneadmin:pw', 7]), [false, '[one.vm.info] Error getting virtual machine [7].', 1024, 7, 0]);

    const sent = ['a<b&c', '', true, 1.5, null, [1, ['x']], { a: 'b' }, Buffer.from('hi'), 2147483647];
    const echoed = await methodCall('echo', sent);
    assert.deepEqual(seen[2], ['a<b&c', '', true, new Double(1.5), null, [1, ['x']], Object.assign(Object.create(null), { a: 'b' }), Buffer.from('hi'), 2147483647]);
    assert.deepEqual(echoed, sent);
    // That module reads <i8> as a string...
    assert.equal(await methodCall('big', []), String(2 ** 40));
    // ...and writes any integral number as <int>, which is refused beyond 32 bits, as xmlrpc-c does.
    await assert.rejects(methodCall('echo', [2 ** 40]), (err: { faultCode?: number; faultString?: string }) => {
      assert.equal(err.faultCode, FaultCode.PARSE);
      assert.match(err.faultString!, /'1099511627776' is not a 32-bit integer/);
      return true;
    });

    await assert.rejects(methodCall('one.nope', []), (err: { faultCode?: number; faultString?: string }) => {
      assert.equal(err.faultCode, -506);
      assert.equal(err.faultString, 'method one.nope does not exist');
      return true;
    });
  });

  it('the opennebula package reads its results', async () => {
    const { url } = await start(onedLike);
    const OpenNebula = require('opennebula') as new (auth: string, endpoint: string) => {
      version(cb: (err: unknown, data: unknown) => void): void;
      getUser(id: number): { info(cb: (err: unknown, data: unknown) => void): void };
      getVM(id: number): { info(cb: (err: unknown, data: unknown) => void): void };
    };
    const one = new OpenNebula('oneadmin:pw', url);
    const promisify = (run: (cb: (err: unknown, data: unknown) => void) => void) =>
      new Promise<unknown>((resolve, reject) => run((err, data) => (err ? reject(err) : resolve(data))));
    assert.equal(await promisify((cb) => one.version(cb)), '7.0.0');
    assert.deepEqual(await promisify((cb) => one.getUser(0).info(cb)), { USER: { ID: '0', NAME: 'oneadmin' } });
    await assert.rejects(promisify((cb) => one.getVM(7).info(cb)), /Error getting virtual machine \[7\]/);
  });
});

/**
 * sunstone-server as an admin runs it: its conf file and --port, HTTPS with a certificate, the
 * JSON API's answers to bad requests, and what the page does while oned is down.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, Oned, ONEADMIN_PASSWORD } from './harness.js';
import { SUNSTONE, SunstoneProcess, UiCloud, UI_SKIP } from './ui-harness.js';

describe('sunstone-server: configuration, HTTPS and the API', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite' });
  });
  after(async () => {
    await oned?.stop();
  });

  test('--port wins over the conf file; a bad conf key stops it with the key named', async () => {
    const port = await freePort();
    writeFileSync(join(oned.location, 'etc', 'sunstone-server.conf'), `port: 1\nsession_expiration: 600\n`);
    const s = await SunstoneProcess.start(oned, { port });
    try {
      assert.equal(s.url, `http://127.0.0.1:${port}/`);
      const health = await fetch(`${s.url}api/health`);
      assert.deepEqual(await health.json(), { ok: true, oned: 'up' });
      // It checks oned with its own credentials (ONE_AUTH, as the CLI) and says so.
      for (let i = 0; i < 100 && !/oned \S+ answers/.test(s.output); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(s.output, /sunstone-server: oned \S+ answers/);
      assert.doesNotMatch(s.output, new RegExp(ONEADMIN_PASSWORD), 'credentials are never printed');
    } finally {
      await s.stop();
    }
    writeFileSync(join(oned.location, 'etc', 'sunstone-server.conf'), `colour: blue\n`);
    const r = spawnSync(process.execPath, [SUNSTONE, '--port', String(port)], { env: { ...process.env, ONE_LOCATION: oned.location, ONE_XMLRPC: oned.endpoint }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown key "colour"/);
    const bad = spawnSync(process.execPath, [SUNSTONE, '--port', 'abc'], { env: { ...process.env, ONE_LOCATION: oned.location }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--port must be a port number/);
    writeFileSync(join(oned.location, 'etc', 'sunstone-server.conf'), '');
  });

  test('HTTPS with the configured certificate; the session cookie is Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sunstone-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const conf = join(dir, 'sunstone-server.conf');
    writeFileSync(conf, `tls_cert: ${join(dir, 'cert.pem')}\ntls_key: ${join(dir, 'key.pem')}\n`);
    const s = await SunstoneProcess.start(oned, { args: ['--conf', conf] });
    try {
      assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const answer = await new Promise<{ status: number; cookie: string }>((res, rej) => {
        const req = request(`${s.url}api/auth/login`, { method: 'POST', ca: execFileSync('cat', [join(dir, 'cert.pem')]), headers: { 'Content-Type': 'application/json' } }, (r) => {
          r.resume();
          res({ status: r.statusCode!, cookie: String(r.headers['set-cookie'] ?? '') });
        });
        req.on('error', rej);
        req.end(JSON.stringify({ username: 'oneadmin', password: ONEADMIN_PASSWORD }));
      });
      assert.equal(answer.status, 200);
      assert.match(answer.cookie, /nebula_session=.*HttpOnly/i);
      assert.match(answer.cookie, /Secure/);
    } finally {
      await s.stop();
    }
  });

  test('the API: no session is 401, bad input is 400 with the reason, oned refusals keep its words', async () => {
    const s = await SunstoneProcess.start(oned);
    try {
      assert.equal((await fetch(`${s.url}api/pool/vm`)).status, 401);
      const empty = await fetch(`${s.url}api/auth/login`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
      assert.equal(empty.status, 400);
      assert.match(((await empty.json()) as { error: string }).error, /Enter a user name and a password/);
      const notJson = await fetch(`${s.url}api/auth/login`, { method: 'POST', body: 'x' });
      assert.equal(notJson.status, 400);
      const login = await fetch(`${s.url}api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'oneadmin', password: ONEADMIN_PASSWORD }), headers: { 'Content-Type': 'application/json' } });
      const cookie = String(login.headers.get('set-cookie')).split(';')[0]!;
      const { csrf } = (await login.json()) as { csrf: string };
      const call = (body: unknown) => fetch(`${s.url}api/call`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', cookie, 'x-csrf-token': csrf } });
      const notOne = await call({ method: 'system.listMethods', params: [] });
      assert.equal(notOne.status, 400);
      const badParams = await call({ method: 'one.vm.info', params: [null] });
      assert.equal(badParams.status, 400);
      const missing = await call({ method: 'one.vm.info', params: [4242] });
      assert.equal(missing.status, 404);
      assert.match(((await missing.json()) as { error: string }).error, /4242/);
      const ok = await call({ method: 'one.vm.allocate', params: ['NAME = "api-vm"\nCPU = 1\nMEMORY = 32'] });
      assert.equal(ok.status, 200);
      const id = ((await ok.json()) as { result: number }).result;
      const info = await call({ method: 'one.vm.info', params: [id] });
      assert.equal(((await info.json()) as { result: { VM: { NAME: string } } }).result.VM.NAME, 'api-vm', 'XML answers come back as JSON');
      const page = await fetch(`${s.url}api/pool/vm?q=api&limit=abc`, { headers: { cookie } });
      assert.equal(page.status, 400);
      const listed = await fetch(`${s.url}api/pool/vm?q=api`, { headers: { cookie } });
      const body = (await listed.json()) as { total: number; rows: { NAME: string }[] };
      assert.equal(body.total, 1);
      assert.equal(body.rows[0]!.NAME, 'api-vm');
      assert.equal((await fetch(`${s.url}api/pool/nothing`, { headers: { cookie } })).status, 404);
      // The SPA answers its own routes; unknown API paths are not the SPA.
      assert.match(await (await fetch(`${s.url}vms/3`)).text(), /<div id="root">/);
    } finally {
      await s.stop();
    }
  });
});

describe('operations center while oned is down', { skip: UI_SKIP || undefined }, () => {
  let cloud: UiCloud;
  before(async () => {
    cloud = await UiCloud.start();
  });
  after(async () => {
    await cloud?.stop();
  });

  test('a banner while oned is down, the list keeps its rows and what was typed stays; it recovers by itself', async () => {
    await cloud.oned.ok('one.vm.allocate', ['NAME = "survivor"\nCPU = 1\nMEMORY = 32', false]);
    const { context, page } = await cloud.page({ user: 'oneadmin', password: ONEADMIN_PASSWORD });
    await page.getByRole('link', { name: 'VMs' }).click();
    await page.getByText('survivor').waitFor();
    await page.getByLabel('Search virtual machines').fill('surv');
    await cloud.oned.signal('SIGTERM');
    try {
      await page.getByRole('alert').filter({ hasText: 'oned is not answering' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByLabel('Search virtual machines').inputValue(), 'surv');
      assert.equal(await page.getByText('survivor').count(), 1, 'the rows shown stay');
    } finally {
      await cloud.oned.launch();
    }
    await page.getByRole('alert').filter({ hasText: 'oned is not answering' }).waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await page.getByLabel('Search virtual machines').inputValue(), 'surv');
    await context.close();
  });
});


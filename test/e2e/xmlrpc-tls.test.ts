/**
 * XMLRPC_TLS: oned serves https with a certificate made by openssl; the CLI (ONE_CERT_DIR) and the
 * scheduler (given CA_DIR by oned) work over it; plain http to the port and a wrong CA are refused
 * with clear messages.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Oned } from './harness.js';
import { cli } from './cli-helpers.js';
import { okId, okXml, placedOn, sleep } from './api-helpers.js';
import { childInt } from '../../src/common/xml-tree.js';
import { XmlRpcClient } from '../../src/rpc/xmlrpc/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nebula-tls-'));
let oned: Oned;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA in `name/` (ca.pem only, as ONE_CERT_DIR holds it) with its key beside. */
function makeCa(name: string): { dir: string; cert: string; key: string } {
  const caDir = join(dir, name);
  mkdirSync(caDir);
  const key = join(dir, `${name}.key`);
  const cert = join(caDir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`]);
  return { dir: caDir, cert, key };
}

before(async () => {
  const ca = makeCa('test-ca');
  makeCa('wrong-ca');
  const key = join(dir, 'oned.key');
  const csr = join(dir, 'oned.csr');
  const cert = join(dir, 'oned.pem');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', join(dir, 'san.ext')]);
  oned = await Oned.start({
    backend: 'sqlite',
    conf: `HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
SCHEDULER = [ EXECUTABLE = "mm_sched" ]
XMLRPC_TLS = [ CERT = "${cert}", KEY = "${key}", CA_DIR = "${ca.dir}" ]
`,
    schedConf: 'SCHED_INTERVAL = 1\n',
  });
  // This process's own calls trust the test CA; oned's scheduler got it from CA_DIR, not from here.
  process.env.ONE_CERT_DIR = ca.dir;
});

after(async () => {
  delete process.env.ONE_CERT_DIR;
  await oned?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('over https: the CLI works with ONE_CERT_DIR, the scheduler places a VM; plain http and a wrong CA are refused clearly', async () => {
  assert.match(oned.endpoint, /^https:\/\/127\.0\.0\.1:\d+\/RPC2$/);
  const trusted = { ONE_CERT_DIR: join(dir, 'test-ca') };
  const host = await cli(oned, 'onehost', ['create', 'tls-host', '--im', 'dummy', '--vm', 'dummy'], trusted);
  assert.equal(host.code, 0, host.stderr);
  await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  const hid = Number(/ID: (\d+)/.exec(host.stdout)?.[1]);
  for (let i = 0; childInt(await okXml(oned, 'one.host.info', [hid]), 'STATE') !== 2; i++) {
    assert.ok(i < 200, 'host monitored');
    await sleep(100);
  }
  const vm = await cli(oned, 'onevm', ['create', '--name', 'tls-vm', '--cpu', '1', '--memory', '64'], trusted);
  assert.equal(vm.code, 0, vm.stderr);
  const vmId = Number(/ID: (\d+)/.exec(vm.stdout)?.[1]);
  assert.equal(await placedOn(oned, vmId), hid, 'the scheduler reached oned over https');
  assert.match((await cli(oned, 'onevm', ['list'], trusted)).stdout, /tls-vm/);

  // A CA that did not sign the certificate, or none: refused, saying why.
  for (const env of [{ ONE_CERT_DIR: join(dir, 'wrong-ca') }, { ONE_CERT_DIR: '' }]) {
    const bad = await cli(oned, 'onevm', ['list'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /its TLS certificate is not trusted \(.+\); put the CA that signed it in the directory ONE_CERT_DIR names/, bad.stderr);
  }

  // Plain http to the TLS port: an HTTP 400 that says to use https.
  const plain = new XmlRpcClient(oned.endpoint.replace('https:', 'http:'));
  await assert.rejects(plain.call('one.system.version', [oned.oneadmin]), /HTTP 400 Bad Request: This XML-RPC endpoint speaks HTTPS only: use an https:\/\/ URL\./);
  plain.close();
});

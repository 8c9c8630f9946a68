/**
 * The 3.x EC2 command-line tools (`econe-*`, src/cloud/ec2/cli) against real processes: oned
 * with dummy drivers (a host, an image datastore with an image), econe-server, and each command
 * run as a user would run it (the compiled bin, keys from -K/-S, EC2_* variables or ONE_AUTH).
 * Key pairs, run (type, key pair, user data, count), describe, stop/start, reboot, terminate,
 * and the failures: a wrong secret is one AuthFailure line and exit code 255.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childText, child } from '../../src/common/xml-tree.js';
import { addUser, okId, okXml, onFeatureBackends, type TestUser } from './api-helpers.js';
import { ec2KeysOf, EconeProcess, type Ec2Keys } from './ec2-helpers.js';
import type { Oned } from './harness.js';

const BIN = resolve(import.meta.dirname, '../../src/cloud/ec2/cli/bin');
const ECONE_TYPES = `instance_types:
  small: { cpu: 0.1, memory: 64 }
  medium: { cpu: 0.2, vcpu: 2, memory: 128 }
default_instance_type: small
`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `econe-<command>` with `args`; `env` replaces the EC2 variables of this process. */
function econe(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((res, rej) => {
    const base = { ...process.env };
    for (const k of ['EC2_URL', 'EC2_ACCESS_KEY', 'EC2_SECRET_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ONE_AUTH', 'ONE_XMLRPC']) delete base[k];
    const p = spawn(process.execPath, [join(BIN, `econe-${command}.js`), ...args], { env: { ...base, HOME: '/nonexistent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

onFeatureBackends('the econe-* tools', (oned) => {
  let econeServer: EconeProcess;
  let alice: TestUser;
  let keys: Ec2Keys;
  let ami: string;
  let host: number;
  /** A system datastore whose transfer driver does nothing. */
  let system: number;
  /** Where the elastic-IP scripts log their arguments. */
  let dir: string;
  /** -K/-S/-U as the 3.x tools took them. */
  let auth: string[];
  /** The same through EC2_URL, EC2_ACCESS_KEY and EC2_SECRET_KEY. */
  let env: Record<string, string>;

  const vmId = (instance: string) => Number(/^i-(\d+)$/.exec(instance)![1]);
  const vmState = async (o: Oned, id: number) => {
    const vm = await okXml(o, 'one.vm.info', [id]);
    return [Number(childText(vm, 'STATE')), Number(childText(vm, 'LCM_STATE'))];
  };
  const waitState = async (o: Oned, id: number, state: number, lcm = 3) => {
    const end = Date.now() + 15_000;
    for (;;) {
      const [s, l] = await vmState(o, id);
      if (s === state && (state !== 3 || l === lcm)) return;
      if (Date.now() > end) throw new Error(`VM ${id} is ${s}/${l}, not ${state}/${lcm}`);
      await sleep(100);
    }
  };
  const ok = async (command: string, args: readonly string[], e: Record<string, string> = {}) => {
    const r = await econe(command, args, e);
    assert.equal(r.code, 0, `econe-${command} ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', 'nothing on stderr');
    return r.stdout;
  };
  const describeRow = async (instance: string) =>
    (await ok('describe-instances', [], env))
      .split('\n')
      .map((l) => l.split(/\s+/))
      .find((cells) => cells[0] === instance);

  after(() => econeServer?.stop());

  test('setup: a dummy host, an image of the user, econe-server', async () => {
    const o = oned();
    host = await okId(o, 'one.host.allocate', ['econe-host', 'dummy', 'dummy', -1]);
    system = await okId(o, 'one.datastore.allocate', ['NAME = "econe-system"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1]);
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "econe-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    await o.ok('one.datastore.chmod', [ds, 1, 1, 0, 1, 0, 0, 1, 0, 0]);
    alice = await addUser(o, 'alice');
    const image = await okId(o, 'one.image.allocate', ['NAME = "base"\nPATH = "/var/tmp/base.img"\nTYPE = "OS"', ds], alice.session);
    const end = Date.now() + 15_000;
    while (childText(await okXml(o, 'one.image.info', [image]), 'STATE') !== '1') {
      if (Date.now() > end) throw new Error('image not READY');
      await sleep(50);
    }
    ami = `ami-${String(image).padStart(8, '0')}`;
    // Uploads and volumes: a datastore that really copies files (DS_MAD fs). Instances get a NIC
    // of a dummy network; elastic IPs come from another, through scripts that log their arguments.
    const fsDs = await okId(o, 'one.datastore.allocate', ['NAME = "econe-fs"\nDS_MAD = "fs"\nTM_MAD = "dummy"', -1]);
    await o.ok('one.datastore.chmod', [fsDs, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const net = await okId(o, 'one.vn.allocate', ['NAME = "econe-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.9.0.10", SIZE = 50 ]', -1]);
    await o.ok('one.vn.chmod', [net, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const eip = await okId(o, 'one.vn.allocate', ['NAME = "econe-eip"\nVN_MAD = "dummy"\nBRIDGE = "br1"\nAR = [ TYPE = "IP4", IP = "192.0.2.1", SIZE = 3 ]', -1]);
    dir = mkdtempSync(join(tmpdir(), 'econe-cli-'));
    for (const script of ['associate', 'disassociate']) {
      writeFileSync(join(dir, script), `#!/bin/sh\necho "$@" >> '${join(dir, `${script}.log`)}'\n`);
      chmodSync(join(dir, script), 0o755);
    }
    const conf = [`network_id: ${net}`, `datastore_id: ${fsDs}`, `elasticips_vnet_id: ${eip}`, `associate_script: ${join(dir, 'associate')}`, `disassociate_script: ${join(dir, 'disassociate')}`];
    econeServer = await EconeProcess.start(o, `${conf.join('\n')}\n${ECONE_TYPES}`);
    keys = await ec2KeysOf(o, alice.session);
    auth = ['-K', keys.accessKeyId, '-S', keys.secretAccessKey, '-U', econeServer.url];
    env = { EC2_URL: econeServer.url, EC2_ACCESS_KEY: keys.accessKeyId, EC2_SECRET_KEY: keys.secretAccessKey };
  });

  test('key pairs: create (name, fingerprint, private key), describe, delete', async () => {
    const created = await ok('create-keypair', [...auth, 'laptop']);
    const lines = created.split('\n');
    assert.equal(lines[0], 'keyName: laptop');
    const fingerprint = /^Fingerprint: (\S+)$/.exec(lines[1]!)?.[1];
    assert.ok(fingerprint, created);
    assert.equal(lines[2], 'Private Key:');
    assert.match(created, /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/);
    await ok('create-keypair', ['spare'], env);
    const listed = await ok('describe-keypairs', ['-H'], env);
    const rows = listed.trimEnd().split('\n');
    assert.match(rows[0]!, /^keyName\s+keyFingerprint$/);
    assert.match(rows[1]!, /^-+$/);
    assert.ok(rows.some((r) => r.split(/\s+/).join(' ') === `laptop ${fingerprint}`), listed);
    assert.equal(await ok('delete-keypair', ['-v', 'spare'], env), 'key pair spare deleted\n');
    assert.doesNotMatch(await ok('describe-keypairs', [], env), /spare/);
    const again = await econe('create-keypair', ['laptop'], env);
    assert.equal(again.code, 255);
    assert.match(again.stderr, /^econe-create-keypair: InvalidKeyPair\.Duplicate: .+\n$/);
  });

  test('run-instances: type, key pair and user data reach the VM; the table of what was made', async () => {
    const data = Buffer.from('#!/bin/sh\necho hello from econe\n').toString('base64');
    const out = await ok('run-instances', [...auth, '-t', 'medium', '-k', 'laptop', '-d', data, '-H', ami]);
    const [head, rule, row, ...rest] = out.trimEnd().split('\n');
    assert.match(head!, /^Owner\s+ImageId\s+InstanceId\s+InstanceType$/);
    assert.match(rule!, /^-+$/);
    assert.deepEqual(rest, []);
    const [, imageId, instance, type] = row!.split(/\s+/);
    assert.equal(imageId, ami);
    assert.match(instance!, /^i-\d{8}$/);
    assert.equal(type, 'medium');
    const vm = await okXml(oned(), 'one.vm.info', [vmId(instance!)]);
    assert.equal(childText(vm, 'UNAME'), 'alice', 'made as the user');
    const tpl = child(vm, 'TEMPLATE')!;
    assert.equal(childText(tpl, 'VCPU'), '2');
    assert.equal(childText(tpl, 'MEMORY'), '128');
    const ctx = child(tpl, 'CONTEXT')!;
    assert.equal(childText(ctx, 'EC2_USER_DATA'), data);
    assert.equal(childText(ctx, 'EC2_KEYNAME'), 'laptop');
    assert.match(childText(ctx, 'SSH_PUBLIC_KEY'), /^ssh-rsa /);

    const two = await ok('run-instances', ['-n', '2', ami], env);
    const made = two.trimEnd().split('\n').map((l) => l.split(/\s+/));
    assert.equal(made.length, 2);
    assert.deepEqual(made.map((c) => c[3]), ['small', 'small'], "without -t, econe.conf's default_instance_type");
    assert.equal(new Set(made.map((c) => c[2])).size, 2);
  });

  test('describe, stop, start, reboot, terminate: states as section 7.1 maps them', async () => {
    const o = oned();
    const instance = (await ok('run-instances', ['-t', 'small', ami], env)).split(/\s+/)[2]!;
    const id = vmId(instance);
    assert.deepEqual((await describeRow(instance))?.slice(1, 3), [ami, 'pending']);
    await o.ok('one.vm.deploy', [id, host, false, system]);
    await waitState(o, id, 3);
    assert.equal((await describeRow(instance))?.[2], 'running');

    assert.equal(await ok('stop-instances', [instance], env), `Success: Stopping ${instance} in running state\n`);
    await waitState(o, id, 4);
    assert.equal((await describeRow(instance))?.[2], 'stopped');
    assert.equal(await ok('start-instances', [instance], env), `Success: Starting ${instance} in stopped state\n`);
    await waitState(o, id, 1);
    await o.ok('one.vm.deploy', [id, host, false, system]);
    await waitState(o, id, 3);
    assert.equal(await ok('reboot-instances', [instance], env), `Success: Rebooting ${instance}\n`);
    await waitState(o, id, 3);

    const other = (await ok('run-instances', [ami], env)).split(/\s+/)[2]!;
    const ended = await ok('terminate-instances', [`${instance},${other}`], env);
    assert.deepEqual(ended.trimEnd().split('\n').sort(), [`Success: Terminating ${instance} in running state`, `Success: Terminating ${other} in pending state`].sort());
    await waitState(o, id, 6);
    const gone = await describeRow(instance);
    assert.ok(gone === undefined || gone[2] === 'terminated', `terminated or gone: ${gone?.join(' ')}`);
  });

  test('images: econe-upload (a signed multipart POST), econe-register, econe-describe-images', async () => {
    const file = join(dir, 'disk.img');
    writeFileSync(file, Buffer.alloc(200 * 1024, 1));
    const uploaded = /^Success: ImageId (ami-\d{8})\n$/.exec(await ok('upload', [file], env))?.[1];
    assert.ok(uploaded, 'the new image id');
    assert.equal(await ok('register', [uploaded], env), `Success: ImageId ${uploaded}\n`);
    const end = Date.now() + 20_000;
    let row: string[] | undefined;
    do {
      row = (await ok('describe-images', [], env)).split('\n').map((l) => l.split(/\s+/)).find((c) => c[1] === uploaded);
      if (row?.[2] === 'available') break;
      await sleep(300);
    } while (Date.now() < end);
    assert.deepEqual(row?.slice(2, 4), ['available', 'private'], `the uploaded image: ${row?.join(' ')}`);
    const bad = await econe('upload', [join(dir, 'missing.img')], env);
    assert.deepEqual([bad.code, bad.stderr.split('\n').length], [1, 2]);
    assert.match(bad.stderr, /^econe-upload: cannot read /);
  });

  test('volumes and elastic IPs on a running instance', async () => {
    const o = oned();
    const instance = (await ok('run-instances', [ami], env)).split(/\s+/)[2]!;
    await o.ok('one.vm.deploy', [vmId(instance), host, false, system]);
    await waitState(o, vmId(instance), 3);

    const created = await ok('create-volume', ['-s', '1'], env);
    const volume = /^volumeId: (vol-\d{8})$/m.exec(created)?.[1];
    assert.ok(volume, created);
    assert.match(created, /^size: 1$/m);
    const volumeRow = async () => (await ok('describe-volumes', [], env)).split('\n').map((l) => l.split(/\s+/)).find((c) => c[0] === volume);
    const until = async (what: string, check: (row: string[] | undefined) => boolean) => {
      const end = Date.now() + 20_000;
      for (;;) {
        const row = await volumeRow();
        if (check(row)) return row!;
        if (Date.now() > end) throw new Error(`${what}: ${row?.join(' ')}`);
        await sleep(300);
      }
    };
    await until('volume available', (r) => r?.[2] === 'available');
    const attached = await ok('attach-volume', [volume!, '-i', instance, '-d', '/dev/sdf'], env);
    assert.match(attached, new RegExp(`^volumeId: ${volume}\ninstanceId: ${instance}\nstatus: attaching\ndevice: /dev/sdf\n$`));
    const inUse = await until('volume in use', (r) => r?.[2] === 'in-use');
    assert.deepEqual(inUse.slice(4, 6), [instance, '/dev/sdf']);
    assert.match(await ok('detach-volume', [volume!, '-i', instance], env), /^status: detaching$/m);
    await until('volume detached', (r) => r?.[2] === 'available');
    assert.equal(await ok('delete-volume', ['-v', volume!], env), `${volume} deleted\n`);
    const attachMissing = await econe('attach-volume', [volume!, '-i', instance], env);
    assert.equal(attachMissing.code, 1, 'attach needs --device');

    const ip = (await ok('allocate-address', [], env)).trim();
    assert.match(ip, /^192\.0\.2\.\d$/);
    assert.equal(await ok('associate-address', ['-v', ip, instance], env), `${ip} associated with ${instance}\n`);
    assert.match(readFileSync(join(dir, 'associate.log'), 'utf8'), new RegExp(`^${ip.replace(/\./g, '\\.')} 10\\.9\\.0\\.\\d+ `));
    const addresses = await ok('describe-addresses', ['-H'], env);
    assert.ok(addresses.split('\n').some((l) => l.split(/\s+/).join(' ') === `${ip} ${instance}`), addresses);
    await ok('disassociate-address', [ip], env);
    assert.ok(existsSync(join(dir, 'disassociate.log')), 'the disassociate script ran');
    await ok('release-address', [ip], env);
    assert.doesNotMatch(await ok('describe-addresses', [], env), new RegExp(ip.replace(/\./g, '\\.')));
    await ok('terminate-instances', [instance], env);
  });

  test('credentials from ONE_AUTH when no key is given: the user reads its own EC2 secret from oned', async () => {
    const file = join(oned().location, 'alice_auth');
    writeFileSync(file, `${alice.session}\n`, { mode: 0o600 });
    const out = await ok('describe-instances', ['-U', econeServer.url], { ONE_AUTH: file, ONE_XMLRPC: oned().endpoint });
    assert.match(out, /^i-\d{8}\s+ami-/m);
  });

  test('failures: one line with the EC2 error code, exit code 255; usage mistakes exit 1', async () => {
    // A wrong secret: the signature does not match (as AWS words it); an unknown user: AuthFailure.
    const bad = await econe('describe-instances', ['-K', keys.accessKeyId, '-S', 'not-the-secret', '-U', econeServer.url]);
    assert.equal(bad.code, 255);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^econe-describe-instances: SignatureDoesNotMatch: [^\n]+\n$/);
    assert.doesNotMatch(bad.stderr, /not-the-secret/, 'the secret is not echoed');
    const nobody = await econe('describe-instances', ['-K', 'nobody', '-S', 'whatever', '-U', econeServer.url]);
    assert.equal(nobody.code, 255);
    assert.match(nobody.stderr, /^econe-describe-instances: AuthFailure: [^\n]+\n$/);

    const unknown = await econe('terminate-instances', ['i-00099999'], env);
    assert.equal(unknown.code, 255);
    assert.match(unknown.stderr, /^econe-terminate-instances: InvalidInstanceID\.NotFound: [^\n]*i-00099999[^\n]*\n$/);

    const noImage = await econe('run-instances', ['ami-00099999'], env);
    assert.equal(noImage.code, 255);
    assert.match(noImage.stderr, /^econe-run-instances: InvalidAMIID\.(NotFound|Malformed): [^\n]+\n$/);

    const down = await econe('describe-instances', [...auth.slice(0, 4), '-U', 'http://127.0.0.1:9/']);
    assert.deepEqual([down.code, down.stderr], [255, 'econe-describe-instances: cannot reach http://127.0.0.1:9/: ECONNREFUSED\n']);

    const usage = await econe('run-instances', ['-d', 'not base64!', ami], env);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /^econe-run-instances: --user-data wants Base64/);
    assert.equal((await econe('attach-volume', ['--bogus'], env)).code, 1);
    const help = await econe('describe-volumes', ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: econe-describe-volumes \[OPTIONS\]/);
  });
});

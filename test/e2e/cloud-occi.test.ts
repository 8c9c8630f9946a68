/**
 * occi-server as its users meet it: oned (dummy drivers) and occi-server as processes, driven
 * by Debian's curl through OpenNebula's OCCI XML API and OGF OCCI 1.2 in both renderings
 * (text/plain and text/occi, application/occi+json), and by the occi-* commands. A compute
 * with a storage and a network is created, listed, shown, stopped (or suspended) and deleted each way; bad
 * credentials, unknown ids and malformed bodies get 4xx answers and leave nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { AclRule } from '../../src/common/acl/acl-rule.js';
import { childInt } from '../../src/common/xml-tree.js';
import { addUser, okId, okXml, onFeatureBackends, sleep, type TestUser } from './api-helpers.js';
import { freePort, type Oned } from './harness.js';

const BIN = resolve(import.meta.dirname, '../../src/cloud/occi/bin');
const INFRA = 'http://schemas.ogf.org/occi/infrastructure#';
const RES_TPL = 'http://nebula-ts.org/occi/resource_tpl#';
const OS_TPL = 'http://nebula-ts.org/occi/os_tpl#';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Runs curl with `args` (argv, no shell) and reads its `-i` output. */
function curl(args: string[]): Promise<Answer> {
  return new Promise((res, rej) => {
    const p = spawn('curl', ['-sS', '-i', '--max-time', '30', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', rej);
    p.on('close', (code) => {
      if (code !== 0) return rej(new Error(`curl ${args.join(' ')} exited ${code}: ${err}`));
      let rest = out;
      for (;;) {
        const end = rest.indexOf('\r\n\r\n');
        const head = rest.slice(0, end);
        rest = rest.slice(end + 4);
        if (/^HTTP\/[\d.]+ 1\d\d/.test(head)) continue;
        const [status, ...lines] = head.split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines) {
          const i = l.indexOf(':');
          headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
        }
        return res({ status: Number(status!.split(' ')[1]), headers, body: rest });
      }
    });
  });
}

/** Runs an occi-* command. */
function occiTool(tool: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(BIN, `${tool}.js`), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

async function startServer(oned: Oned, port: number, env: Record<string, string> = {}, args: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [join(BIN, 'occi-server.js'), '--port', String(port), ...args], {
    env: { ...process.env, ONE_LOCATION: oned.location, ONE_XMLRPC: oned.endpoint, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((res, rej) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /OCCI is at (\S+)/.exec(output);
      if (m) res(m[1]!.replace(/\/$/, ''));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => rej(new Error(`occi-server exited with ${code}:\n${output}`)));
  });
  return { proc, url };
}

const tagText = (xml: string, tag: string) => new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`).exec(xml)?.[1];

onFeatureBackends('occi-server', (getOned) => {
  let oned: Oned;
  let server: ChildProcess;
  let url: string;
  let alice: TestUser;
  let dir: string;
  let user: string[];
  let hostId: number;

  const vmCount = async () => (await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1])).children.length;

  /** Deploys a pending VM (no scheduler runs) and waits for RUNNING. */
  async function deploy(id: number): Promise<void> {
    await okId(oned, 'one.vm.deploy', [id, hostId, false, -1]);
    await until(`VM ${id} RUNNING`, async () => childInt(await okXml(oned, 'one.vm.info', [id]), 'LCM_STATE') === 3);
  }

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    const end = Date.now() + 15000;
    while (!(await check())) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  test('start: oned with a dummy host, occi-server with a conf file', async () => {
    oned = getOned();
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    await okId(oned, 'one.datastore.update', [1, 'DS_MAD = "dummy"\nTM_MAD = "dummy"', 1]);
    hostId = await okId(oned, 'one.host.allocate', ['occi-host', 'dummy', 'dummy', -1]);
    alice = await addUser(oned, 'alice');
    // users may not create networks by default (as in OpenNebula): the admin lets alice, in cluster 0
    for (const text of [`#${alice.id} NET/* CREATE *`, `#${alice.id} CLUSTER/#0 ADMIN *`]) {
      const rule = AclRule.parse(text);
      await okId(oned, 'one.acl.addrule', [rule.user, rule.resource, rule.rights].map((c) => c.toString(16)));
    }
    user = ['-u', `${alice.name}:${alice.password}`];
    dir = join(oned.location, 'files');
    mkdirSync(dir);
    writeFileSync(
      join(oned.location, 'etc', 'occi-server.conf'),
      `:host: 127.0.0.1\n:datastore_id: 1\n:tmpdir: ${join(oned.location, 'uploads')}\n:instance_types:\n  :small: { :cpu: 0.5, :memory: 128 }\n  :big: { :cpu: 2, :vcpu: 2, :memory: 512 }\n`,
    );
    ({ proc: server, url } = await startServer(oned, await freePort()));
  });

  test('XML API: network, uploaded storage and a compute using both; list, show, stop, delete', async () => {
    const root = await curl([...user, `${url}/`]);
    assert.equal(root.status, 200);
    assert.match(root.body, new RegExp(`<COMPUTE_COLLECTION href="${url}/compute"/>`));

    const types = await curl([...user, `${url}/instance_type?verbose=true`]);
    assert.match(types.body, /<INSTANCE_TYPE href="[^"]*\/instance_type\/small"><NAME>small<\/NAME><CPU>0.5<\/CPU><VCPU>1<\/VCPU><MEMORY>128<\/MEMORY>/);

    const net = await curl([...user, '-X', 'POST', '--data-binary', '<NETWORK><NAME>xml-net</NAME><ADDRESS>10.9.0.1</ADDRESS><SIZE>20</SIZE><PUBLIC>YES</PUBLIC></NETWORK>', `${url}/network`]);
    assert.equal(net.status, 201, net.body);
    const netId = Number(tagText(net.body, 'ID'));
    assert.equal(tagText(net.body, 'ADDRESS'), '10.9.0.1');
    assert.equal(tagText(net.body, 'SIZE'), '20');
    assert.equal(tagText(net.body, 'PUBLIC'), 'YES');

    writeFileSync(join(dir, 'disk.img'), Buffer.alloc(4096, 1));
    writeFileSync(join(dir, 'storage.xml'), '<STORAGE><NAME>xml-img</NAME><TYPE>OS</TYPE><DESCRIPTION>uploaded</DESCRIPTION></STORAGE>');
    const img = await curl([...user, '-F', `occixml=<${join(dir, 'storage.xml')}`, '-F', `file=@${join(dir, 'disk.img')}`, `${url}/storage`]);
    assert.equal(img.status, 201, img.body);
    const imgId = Number(tagText(img.body, 'ID'));
    assert.equal(tagText(img.body, 'STATE'), 'READY');
    assert.equal(tagText(img.body, 'TYPE'), 'OS');
    const imgInfo = await okXml(oned, 'one.image.info', [imgId, false]);
    assert.equal(imgInfo.children.find((c) => c.name === 'UNAME')?.text, 'alice', 'made as the authenticated user');

    const compute = `<COMPUTE><NAME>xml-vm</NAME><INSTANCE_TYPE href="${url}/instance_type/small"/><DISK><STORAGE href="${url}/storage/${imgId}"/></DISK><NIC><NETWORK href="${url}/network/${netId}"/><IP>10.9.0.5</IP></NIC><CONTEXT><HOSTNAME>xml-vm</HOSTNAME></CONTEXT></COMPUTE>`;
    const made = await curl([...user, '-X', 'POST', '-H', 'Content-Type: application/xml', '--data-binary', compute, `${url}/compute`]);
    assert.equal(made.status, 201, made.body);
    const vmId = Number(tagText(made.body, 'ID'));
    assert.equal(tagText(made.body, 'CPU'), '0.5');
    assert.equal(tagText(made.body, 'MEMORY'), '128');
    assert.match(made.body, new RegExp(`<STORAGE href="${url}/storage/${imgId}" name="xml-img"/>`));
    assert.match(made.body, /<IP>10\.9\.0\.5<\/IP>/);
    assert.match(made.body, /<HOSTNAME>xml-vm<\/HOSTNAME>/);

    const listed = await curl([...user, `${url}/compute`]);
    assert.match(listed.body, new RegExp(`<COMPUTE href="${url}/compute/${vmId}" name="xml-vm"/>`));

    await deploy(vmId);
    const shown = await curl([...user, `${url}/compute/${vmId}`]);
    assert.equal(tagText(shown.body, 'STATE'), 'ACTIVE');
    assert.equal(tagText(shown.body, 'LCM_STATE'), 'RUNNING');

    // attach and detach a second disk through the action resource
    const db = await curl([...user, '-X', 'POST', '--data-binary', '<STORAGE><NAME>xml-db</NAME><TYPE>DATABLOCK</TYPE><SIZE>16</SIZE></STORAGE>', `${url}/storage`]);
    assert.equal(db.status, 201, db.body);
    const dbId = Number(tagText(db.body, 'ID'));
    const attach = await curl([...user, '-X', 'POST', '--data-binary', `<ACTION><PERFORM>attachdisk</PERFORM><PARAMS><DISK><STORAGE href="${url}/storage/${dbId}"/></DISK></PARAMS></ACTION>`, `${url}/compute/${vmId}/action`]);
    assert.equal(attach.status, 202, attach.body);
    await until('the disk attached', async () => (await curl([...user, `${url}/compute/${vmId}`])).body.includes(`/storage/${dbId}"`) && childInt(await okXml(oned, 'one.vm.info', [vmId]), 'LCM_STATE') === 3);
    const diskId = /<DISK id="(\d+)"><STORAGE href="[^"]*\/storage\/(\d+)"/g;
    const disks = [...(await curl([...user, `${url}/compute/${vmId}`])).body.matchAll(diskId)].filter((m) => Number(m[2]) === dbId);
    const detach = await curl([...user, '-X', 'POST', '--data-binary', `<ACTION><PERFORM>detachdisk</PERFORM><PARAMS><DISK id="${disks[0]![1]}"/></PARAMS></ACTION>`, `${url}/compute/${vmId}/action`]);
    assert.equal(detach.status, 202, detach.body);
    await until('the disk detached', async () => !(await curl([...user, `${url}/compute/${vmId}`])).body.includes(`/storage/${dbId}"`));

    const stopped = await curl([...user, '-X', 'PUT', '--data-binary', '<COMPUTE><STATE>STOPPED</STATE></COMPUTE>', `${url}/compute/${vmId}`]);
    assert.equal(stopped.status, 202, stopped.body);
    await until('STOPPED', async () => tagText((await curl([...user, `${url}/compute/${vmId}`])).body, 'STATE') === 'STOPPED');

    const wrongState = await curl([...user, '-X', 'PUT', '--data-binary', '<COMPUTE><STATE>SUSPENDED</STATE></COMPUTE>', `${url}/compute/${vmId}`]);
    assert.equal(wrongState.status, 409, wrongState.body);

    const del = await curl([...user, '-X', 'DELETE', `${url}/compute/${vmId}`]);
    assert.equal(del.status, 204);
    await until('DONE', async () => (await curl([...user, `${url}/compute/${vmId}`])).status === 404);

    const clone = await curl([...user, '-X', 'POST', '--data-binary', '<ACTION><PERFORM>clone</PERFORM><PARAMS><NAME>xml-img-copy</NAME></PARAMS></ACTION>', `${url}/storage/${imgId}/action`]);
    assert.equal(clone.status, 201, clone.body);
    assert.equal(tagText(clone.body, 'NAME'), 'xml-img-copy');
    const pers = await curl([...user, '-X', 'PUT', '--data-binary', '<STORAGE><PERSISTENT>YES</PERSISTENT></STORAGE>', `${url}/storage/${dbId}`]);
    assert.equal(tagText(pers.body, 'PERSISTENT'), 'YES');

    const me = await curl([...user, `${url}/user/${alice.id}`]);
    assert.equal(tagText(me.body, 'NAME'), 'alice');
    assert.match(me.body, /<QUOTA><CPU>/);
  });

  test('OGF OCCI 1.2 in text/plain and text/occi: query interface, network, compute with links, actions, delete', async () => {
    const tplId = await okId(oned, 'one.template.allocate', ['NAME = "ogf-tpl"\nCPU = 0.25\nMEMORY = 64'], alice.session);
    const query = await curl([...user, `${url}/-/`]);
    assert.equal(query.status, 200);
    assert.match(query.body, /^Category: compute; scheme="http:\/\/schemas\.ogf\.org\/occi\/infrastructure#"; class="kind";.*location="[^"]*\/occi1\.2\/compute\/"/m);
    assert.match(query.body, new RegExp(`^Category: tpl_${tplId}; scheme="${OS_TPL}"; class="mixin"; title="ogf-tpl"`, 'm'));
    assert.match(query.body, /^Category: big; scheme="http:\/\/nebula-ts\.org\/occi\/resource_tpl#"; class="mixin"/m);
    assert.match(query.body, /^Category: stop; scheme="http:\/\/schemas\.ogf\.org\/occi\/infrastructure\/compute\/action#"; class="action"/m);

    const net = await curl([
      ...user, '-X', 'POST', '-H', 'Content-Type: text/plain',
      '--data-binary', `Category: network; scheme="${INFRA}"; class="kind"\nCategory: ipnetwork; scheme="${INFRA}"; class="mixin"\nX-OCCI-Attribute: occi.core.title="ogf-net"\nX-OCCI-Attribute: occi.network.address="10.20.0.0/24"\n`,
      `${url}/occi1.2/network/`,
    ]);
    assert.equal(net.status, 201, net.body);
    const netLoc = net.headers.location!;
    assert.match(netLoc, /\/occi1\.2\/network\/\d+$/);
    assert.match(net.body, /X-OCCI-Attribute: occi\.network\.address="10\.20\.0\.0\/24"/);

    // storage in JSON: an empty datablock of 1 GiB
    const sto = await curl([
      ...user, '-X', 'POST', '-H', 'Content-Type: application/occi+json', '-H', 'Accept: application/occi+json',
      '--data-binary', JSON.stringify({ kind: `${INFRA}storage`, attributes: { 'occi.core.title': 'ogf-disk', 'occi.storage.size': 1 } }),
      `${url}/occi1.2/storage/`,
    ]);
    assert.equal(sto.status, 201, sto.body);
    const stoJson = JSON.parse(sto.body) as { location: string; attributes: Record<string, unknown> };
    assert.equal(stoJson.attributes['occi.storage.size'], 1);
    assert.equal(stoJson.attributes['occi.storage.state'], 'online');

    // a compute of alice's template, sized by a resource template, with a NIC and a disk, in text/occi headers
    const before = await vmCount();
    const made = await curl([
      ...user, '-X', 'POST', '-H', 'Content-Type: text/occi', '-H', 'Accept: text/occi',
      '-H', `Category: compute; scheme="${INFRA}"; class="kind", tpl_${tplId}; scheme="${OS_TPL}"; class="mixin", big; scheme="${RES_TPL}"; class="mixin"`,
      '-H', 'X-OCCI-Attribute: occi.core.title="ogf-vm"',
      '-H', `Link: <${netLoc}>; rel="${INFRA}network"; category="${INFRA}networkinterface", <${stoJson.location}>; rel="${INFRA}storage"; category="${INFRA}storagelink"; occi.storagelink.deviceid="vdb"`,
      `${url}/occi1.2/compute/`,
    ]);
    assert.equal(made.status, 201, JSON.stringify(made));
    assert.equal(await vmCount(), before + 1);
    const vmLoc = made.headers.location!;
    const vmId = Number(/\/compute\/(\d+)$/.exec(vmLoc)![1]);
    assert.match(made.headers['x-occi-attribute']!, /occi\.compute\.cores=2/);
    assert.match(made.headers['x-occi-attribute']!, /occi\.compute\.memory=0\.5/);
    assert.match(made.headers.category!, new RegExp(`tpl_${tplId}; scheme="${OS_TPL}"`));
    const vmXml = await okXml(oned, 'one.vm.info', [vmId]);
    assert.equal(vmXml.children.find((c) => c.name === 'UNAME')?.text, 'alice');

    const listed = await curl([...user, '-H', 'Accept: text/uri-list', `${url}/occi1.2/compute/`]);
    assert.equal(listed.headers['content-type'], 'text/uri-list');
    assert.ok(listed.body.split('\n').includes(vmLoc), listed.body);
    const listedPlain = await curl([...user, `${url}/occi1.2/compute/`]);
    assert.ok(listedPlain.body.includes(`X-OCCI-Location: ${vmLoc}`));
    const ofTemplate = await curl([...user, '-H', 'Accept: text/occi', `${url}/occi1.2/os_tpl/tpl_${tplId}/`]);
    assert.equal(ofTemplate.headers['x-occi-location'], vmLoc, 'the computes of the os_tpl mixin');

    await deploy(vmId);
    const shown = await curl([...user, vmLoc]);
    assert.match(shown.body, /X-OCCI-Attribute: occi\.compute\.state="active"/);
    assert.match(shown.body, new RegExp(`^Link: <${netLoc}>; rel="${INFRA}network"; self="[^"]*/networkinterface/compute_${vmId}_nic_0"`, 'm'));
    assert.match(shown.body, new RegExp(`^Link: <${stoJson.location}>; rel="${INFRA}storage"; self="[^"]*/storagelink/compute_${vmId}_disk_\\d+"; category="${INFRA}storagelink"; [^\\n]*occi\\.storagelink\\.deviceid="vdb"`, 'm'));
    assert.match(shown.body, new RegExp(`^Link: <${vmLoc}\\?action=stop>`, 'm'));

    const nic = await curl([...user, `${url}/occi1.2/networkinterface/compute_${vmId}_nic_0`]);
    assert.equal(nic.status, 200, nic.body);
    assert.match(nic.body, /occi\.networkinterface\.address="10\.20\.0\.1"/);

    // a second interface as a link of its own, then detached by deleting the link
    const linked = await curl([
      ...user, '-X', 'POST', '-H', 'Content-Type: application/occi+json', '-H', 'Accept: application/occi+json',
      '--data-binary', JSON.stringify({ kind: `${INFRA}networkinterface`, source: { location: vmLoc }, target: { location: netLoc }, attributes: { 'occi.networkinterface.address': '10.20.0.77' } }),
      `${url}/occi1.2/networkinterface/`,
    ]);
    assert.equal(linked.status, 201, linked.body);
    const link = JSON.parse(linked.body) as { location: string; attributes: Record<string, unknown> };
    assert.equal(link.attributes['occi.networkinterface.address'], '10.20.0.77');
    assert.equal(linked.headers.location, link.location);
    await until('the NIC attached', async () => childInt(await okXml(oned, 'one.vm.info', [vmId]), 'LCM_STATE') === 3);
    assert.equal((await curl([...user, '-X', 'DELETE', link.location])).status, 200);
    await until('the NIC detached', async () => (await curl([...user, link.location])).status === 404);
    await until('RUNNING after the detach', async () => childInt(await okXml(oned, 'one.vm.info', [vmId]), 'LCM_STATE') === 3);

    const stop = await curl([...user, '-X', 'POST', '-H', 'Content-Type: text/plain', '--data-binary', `Category: stop; scheme="http://schemas.ogf.org/occi/infrastructure/compute/action#"; class="action"\n`, `${vmLoc}?action=stop`]);
    assert.equal(stop.status, 200, stop.body);
    await until('inactive (POWEROFF)', async () => (await curl([...user, vmLoc])).body.includes('occi.compute.state.message="POWEROFF"'));
    const start = await curl([...user, '-X', 'POST', `${vmLoc}?action=start`]);
    assert.equal(start.status, 200, start.body);
    await until('active again', async () => (await curl([...user, vmLoc])).body.includes('occi.compute.state="active"'));

    const del = await curl([...user, '-X', 'DELETE', vmLoc]);
    assert.equal(del.status, 200);
    await until('gone', async () => (await curl([...user, vmLoc])).status === 404);
  });

  test('OGF OCCI 1.2 in application/occi+json: create, list, show, action, delete', async () => {
    const nets = JSON.parse((await curl([...user, '-H', 'Accept: application/occi+json', `${url}/occi1.2/network/`])).body) as { resources: { location: string; title: string }[] };
    const net = nets.resources.find((r) => r.title === 'ogf-net')!;
    const made = await curl([
      ...user, '-X', 'POST', '-H', 'Content-Type: application/occi+json', '-H', 'Accept: application/occi+json',
      '--data-binary', JSON.stringify({
        kind: `${INFRA}compute`,
        mixins: [`${RES_TPL}small`],
        attributes: { 'occi.core.title': 'json-vm', 'occi.compute.memory': 0.25 },
        links: [{ kind: `${INFRA}networkinterface`, target: { location: net.location, kind: `${INFRA}network` } }],
      }),
      `${url}/occi1.2/compute/`,
    ]);
    assert.equal(made.status, 201, made.body);
    const vm = JSON.parse(made.body) as { id: string; location: string; attributes: Record<string, unknown>; links: { target: { location: string } }[] };
    assert.equal(vm.attributes['occi.compute.memory'], 0.25, 'the attribute beats the resource template');
    assert.equal(vm.attributes['occi.compute.cores'], 1);
    assert.equal(vm.links[0]!.target.location, net.location);
    const list = JSON.parse((await curl([...user, '-H', 'Accept: application/occi+json', `${url}/occi1.2/compute/`])).body) as { resources: { id: string }[] };
    assert.ok(list.resources.some((r) => r.id === vm.id));
    await deploy(Number(vm.id));
    const suspend = await curl([...user, '-X', 'POST', '-H', 'Content-Type: application/occi+json', '-H', 'Accept: application/occi+json', '--data-binary', JSON.stringify({ action: 'http://schemas.ogf.org/occi/infrastructure/compute/action#suspend' }), `${vm.location}?action=suspend`]);
    assert.equal(suspend.status, 200, suspend.body);
    await until('suspended', async () => (JSON.parse((await curl([...user, '-H', 'Accept: application/occi+json', vm.location])).body) as { attributes: Record<string, unknown> }).attributes['occi.compute.state'] === 'suspended');
    assert.equal((await curl([...user, '-X', 'DELETE', vm.location])).status, 200);
  });

  test('the occi-* commands', async () => {
    const env = { OCCI_URL: url, ONE_AUTH: join(dir, 'alice_auth') };
    writeFileSync(env.ONE_AUTH, `${alice.session}\n`);
    const types = await occiTool('occi-instance-type', ['list'], env);
    assert.equal(types.code, 0, types.stderr);
    assert.match(types.stdout, /<INSTANCE_TYPE href="[^"]*\/instance_type\/big" name="big"\/>/);

    writeFileSync(join(dir, 'net.xml'), '<NETWORK><NAME>cli-net</NAME><ADDRESS>10.30.0.1</ADDRESS><SIZE>C</SIZE></NETWORK>');
    const net = await occiTool('occi-network', ['create', join(dir, 'net.xml')], env);
    assert.equal(net.code, 0, net.stderr);
    const netId = tagText(net.stdout, 'ID')!;
    assert.equal(tagText(net.stdout, 'SIZE'), '254');

    writeFileSync(join(dir, 'cli-disk.img'), Buffer.alloc(2048, 7));
    writeFileSync(join(dir, 'sto.xml'), `<STORAGE><NAME>cli-img</NAME><TYPE>OS</TYPE><PATH>${join(dir, 'cli-disk.img')}</PATH></STORAGE>`);
    const sto = await occiTool('occi-storage', ['create', '-M', join(dir, 'sto.xml')], env);
    assert.equal(sto.code, 0, sto.stderr);
    const imgId = tagText(sto.stdout, 'ID')!;
    assert.equal(tagText(sto.stdout, 'STATE'), 'READY');

    writeFileSync(join(dir, 'vm.xml'), `<COMPUTE><NAME>cli-vm</NAME><INSTANCE_TYPE>small</INSTANCE_TYPE><DISK><STORAGE href="${url}/storage/${imgId}"/></DISK><NIC><NETWORK href="${url}/network/${netId}"/></NIC></COMPUTE>`);
    const vm = await occiTool('occi-compute', ['create', join(dir, 'vm.xml')], env);
    assert.equal(vm.code, 0, vm.stderr);
    const vmId = tagText(vm.stdout, 'ID')!;
    assert.match((await occiTool('occi-compute', ['list', '--verbose'], env)).stdout, /<NAME>cli-vm<\/NAME>/);
    assert.match((await occiTool('occi-compute', ['show', vmId], env)).stdout, /<STATE>PENDING<\/STATE>/);
    await deploy(Number(vmId));
    writeFileSync(join(dir, 'stop.xml'), `<COMPUTE href="${url}/compute/${vmId}"><STATE>POWEROFF</STATE></COMPUTE>`);
    assert.equal((await occiTool('occi-compute', ['update', join(dir, 'stop.xml')], env)).code, 0);
    await until('POWEROFF', async () => (await curl([...user, `${url}/compute/${vmId}`])).body.includes('<STATE>POWEROFF</STATE>'));
    const del = await occiTool('occi-compute', ['delete', vmId], env);
    assert.equal(del.code, 0, del.stderr);

    // credentials on the command line; wrong ones and a wrong id
    const explicit = await occiTool('occi-storage', ['show', imgId, '--username', 'alice', '--password', alice.password], { OCCI_URL: url, ONE_AUTH: '/nonexistent' });
    assert.equal(explicit.code, 0, explicit.stderr);
    const wrong = await occiTool('occi-network', ['list', '-U', 'alice', '-P', 'nope'], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /error 401/);
    const missing = await occiTool('occi-compute', ['show', '9999'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error 404/);
    const usage = await occiTool('occi-compute', ['frobnicate'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown command "frobnicate"/);
  });

  test('bad credentials, unknown ids and malformed bodies: 4xx with a text body, nothing made', async () => {
    const noAuth = await curl([`${url}/compute`]);
    assert.equal(noAuth.status, 401);
    assert.match(noAuth.headers['www-authenticate']!, /^Basic realm=/);
    const wrong = await curl(['-u', 'alice:wrong-password', `${url}/occi1.2/compute/`]);
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers['www-authenticate']!, /^Basic realm=/);
    assert.match(wrong.body, /authenticat/i);

    assert.equal((await curl([...user, `${url}/compute/4242`])).status, 404);
    assert.equal((await curl([...user, `${url}/compute/abc`])).status, 404);
    assert.equal((await curl([...user, `${url}/occi1.2/storage/4242`])).status, 404);
    assert.equal((await curl([...user, `${url}/instance_type/huge`])).status, 404);
    assert.equal((await curl([...user, `${url}/occi1.2/networkinterface/compute_4242_nic_0`])).status, 404);

    const before = await vmCount();
    const cases: [string[], number, RegExp][] = [
      [['-X', 'POST', '--data-binary', '<COMPUTE><NAME>x', `${url}/compute`], 400, /Malformed XML/],
      [['-X', 'POST', '--data-binary', '<NETWORK/>', `${url}/compute`], 400, /Expected a <COMPUTE>/],
      [['-X', 'POST', '--data-binary', '<COMPUTE><NAME>x</NAME><INSTANCE_TYPE>huge</INSTANCE_TYPE></COMPUTE>', `${url}/compute`], 400, /Unknown INSTANCE_TYPE "huge"/],
      [['-X', 'POST', '--data-binary', '<COMPUTE><NAME>x</NAME><INSTANCE_TYPE>small</INSTANCE_TYPE><NIC><NETWORK href="/network/9999"/></NIC></COMPUTE>', `${url}/compute`], 400, /9999/],
      [['-X', 'POST', '--data-binary', '<COMPUTE><NAME>x</NAME><INSTANCE_TYPE>small</INSTANCE_TYPE><DISK><STORAGE href="/elsewhere/3"/></DISK></COMPUTE>', `${url}/compute`], 400, /not the location of a storage/],
      [['-X', 'PUT', '--data-binary', '<COMPUTE><STATE>FLYING</STATE></COMPUTE>', `${url}/compute/0`], 400, /Unknown STATE "FLYING"/],
      [['-X', 'POST', '-H', 'Content-Type: text/plain', '--data-binary', 'Category: compute; scheme="http://schemas.ogf.org/occi/infrastructure#"; class="kind"\nX-OCCI-Attribute: occi.core.title="unterminated\n', `${url}/occi1.2/compute/`], 400, /Unterminated/],
      [['-X', 'POST', '-H', 'Content-Type: text/plain', '--data-binary', 'this is not occi\n', `${url}/occi1.2/compute/`], 400, /Name: value/],
      [['-X', 'POST', '-H', 'Content-Type: text/plain', '--data-binary', `Category: compute; scheme="${INFRA}"; class="kind"\nCategory: nosuch; scheme="${RES_TPL}"; class="mixin"\n`, `${url}/occi1.2/compute/`], 400, /Unknown resource_tpl mixin/],
      [['-X', 'POST', '-H', 'Content-Type: text/plain', '--data-binary', `Category: network; scheme="${INFRA}"; class="kind"\n`, `${url}/occi1.2/compute/`], 400, /holds http:\/\/schemas\.ogf\.org\/occi\/infrastructure#compute/],
      [['-X', 'POST', '-H', 'Content-Type: application/occi+json', '--data-binary', '{"kind": ', `${url}/occi1.2/compute/`], 400, /not valid JSON/],
      [['-X', 'POST', '-H', 'Content-Type: application/occi+json', '--data-binary', JSON.stringify({ kind: `${INFRA}compute`, attributes: { 'occi.compute.memory': -1 } }), `${url}/occi1.2/compute/`], 400, /positive number/],
      [['-X', 'POST', '-H', 'Content-Type: application/xml', '--data-binary', '<x/>', `${url}/occi1.2/compute/`], 415, /Unsupported Content-Type/],
      [['-H', 'Accept: application/xml', `${url}/occi1.2/compute/`], 406, /Cannot answer/],
      [['-X', 'POST', `${url}/occi1.2/compute/0?action=fly`], 400, /Unknown action "fly"/],
    ];
    for (const [args, status, message] of cases) {
      const a = await curl([...user, ...args]);
      assert.equal(a.status, status, `${args.join(' ')} → ${a.status} ${a.body}`);
      assert.match(a.body, message);
    }
    assert.equal(await vmCount(), before, 'no VM was made by a refused request');
    const images = (await okXml(oned, 'one.imagepool.info', [-2, -1, -1])).children.length;
    const badStorage = await curl([...user, '-X', 'POST', '--data-binary', '<STORAGE><NAME>half</NAME><TYPE>DATABLOCK</TYPE><SIZE>1</SIZE><PERSISTENT>MAYBE</PERSISTENT></STORAGE>', `${url}/storage`]);
    assert.equal(badStorage.status, 400);
    assert.equal((await okXml(oned, 'one.imagepool.info', [-2, -1, -1])).children.length, images);
  });

  test('HTTPS when the conf gives ssl_cert and ssl_key', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await new Promise<void>((res, rej) => {
      const p = spawn('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      p.on('error', rej);
      p.on('close', (code) => (code === 0 ? res() : rej(new Error(`openssl exited ${code}`))));
    });
    const conf = join(dir, 'tls.conf');
    writeFileSync(conf, `:ssl_cert: ${cert}\n:ssl_key: ${key}\n`);
    const tls = await startServer(oned, await freePort(), {}, ['--conf', conf]);
    try {
      assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const a = await curl([...user, '--cacert', cert, `${tls.url}/occi1.2/-/`]);
      assert.equal(a.status, 200);
      assert.match(a.body, /^Category: compute;/m);
      assert.match(a.body, /location="https:\/\/127\.0\.0\.1:\d+\/occi1\.2\/compute\/"/, 'locations are https URLs');
    } finally {
      await new Promise<void>((res) => {
        tls.proc.once('exit', () => res());
        tls.proc.kill('SIGTERM');
      });
    }
  });

  after(async () => {
    if (server && server.exitCode === null) {
      await new Promise<void>((res) => {
        server.once('exit', () => res());
        server.kill('SIGTERM');
      });
    }
  });
});

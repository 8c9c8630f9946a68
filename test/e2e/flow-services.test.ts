/**
 * OneFlow as an admin and users meet it: oned (dummy drivers, the scheduler, three dummy hosts)
 * and `oneflow-server` as processes; services deployed in order, scaled by command and by an
 * elasticity rule, undeployed children first; bad input refused with nothing made; a failed
 * deployment; a server restart in the middle of a deployment; the oneflow CLIs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlowClient, FlowClientError, type FlowDocument } from '../../src/flow/client.js';
import type { ServiceBody } from '../../src/flow/model.js';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { addUser, all, must, okId, okXml, sleep, type TestUser } from './api-helpers.js';
import { cli } from './cli-helpers.js';
import { freePort, Oned } from './harness.js';

const FLOW_MAIN = resolve(import.meta.dirname, '../../src/flow/main.js');

const CONF =
  'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n' +
  'SCHEDULER = [ EXECUTABLE = "mm_sched" ]\n';
const SCHED = 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n';

/** A running oneflow-server. */
class FlowProcess {
  output = '';
  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
  ) {}

  static async start(oned: Oned, port: number): Promise<FlowProcess> {
    const proc = spawn(process.execPath, [FLOW_MAIN, '--port', String(port)], {
      env: { ...process.env, ONE_LOCATION: oned.location, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((res, rej) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /OneFlow is at (\S+)/.exec(output);
        if (m) res(m[1]!);
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => rej(new Error(`oneflow-server exited with ${code}:\n${output}`)));
    });
    const f = new FlowProcess(proc, url);
    f.output = output;
    proc.stdout!.on('data', (d: Buffer) => (f.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (f.output += d.toString()));
    return f;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((res) => {
      this.proc.once('exit', () => res());
      this.proc.kill(signal);
    });
  }
}

type Service = FlowDocument<ServiceBody>;

describe('OneFlow services', () => {
  let oned: Oned;
  let flow: FlowProcess;
  let port: number;
  let alice: TestUser;
  let as: FlowClient;
  let vmTemplate: number;

  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: CONF, schedConf: SCHED });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const hosts = [];
    for (const h of ['flow-a', 'flow-b', 'flow-c']) hosts.push(await okId(oned, 'one.host.allocate', [h, 'dummy', 'dummy', -1]));
    const until = Date.now() + 15000;
    for (const h of hosts) {
      while (childInt(await okXml(oned, 'one.host.info', [h]), 'STATE') !== 2) {
        if (Date.now() > until) assert.fail(`host ${h} is not MONITORED`);
        await sleep(50);
      }
    }
    writeFileSync(join(oned.location, 'etc', 'oneflow-server.conf'), ':lcm_interval: 1\n:default_cooldown: 1\n');
    port = await freePort();
    flow = await FlowProcess.start(oned, port);
    alice = await addUser(oned, 'alice');
    writeFileSync(join(oned.location, 'alice_auth'), `${alice.session}\n`);
    as = new FlowClient({ url: flow.url, session: alice.session });
    vmTemplate = await okId(oned, 'one.template.allocate', ['NAME = "small"\nCPU = 0.1\nMEMORY = 32'], alice.session);
  });

  after(async () => {
    await flow?.stop();
    await oned?.stop();
  });

  const service = (id: number) => as.service<ServiceBody>(id);

  /** Polls the service until `check` holds; fails with its last state and log. */
  async function until(id: number, what: string, check: (s: Service) => boolean, ms = 30000): Promise<Service> {
    const end = Date.now() + ms;
    let s = await service(id);
    while (!check(s)) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}; state ${s.TEMPLATE.BODY.state}, log:\n${s.TEMPLATE.BODY.log.map((l) => `${l.severity} ${l.message}`).join('\n')}\n${flow.output}`);
      await sleep(200);
      s = await service(id);
    }
    return s;
  }

  const role = (s: Service, name: string) => s.TEMPLATE.BODY.roles.find((r) => r.name === name)!;
  const vmIds = (s: Service, name: string) => (role(s, name).nodes ?? []).map((n) => n.deploy_id);
  const logIndex = (s: Service, re: RegExp) => s.TEMPLATE.BODY.log.findIndex((l) => re.test(l.message));
  const running = (s: Service, roleName: string, n: number) => {
    const r = role(s, roleName);
    return s.TEMPLATE.BODY.state === 2 && (r.nodes ?? []).length === n && (r.nodes ?? []).every((x) => x.vm_info?.VM.STATE === '3' && x.vm_info.VM.LCM_STATE === '3');
  };

  const threeRoles = () => ({
    name: 'shop',
    deployment: 'straight',
    roles: [
      { name: 'lb', vm_template: vmTemplate, cardinality: 1, parents: ['app'] },
      {
        name: 'app', vm_template: vmTemplate, cardinality: 2, parents: ['db'], min_vms: 1, max_vms: 5, cooldown: 1,
        elasticity_policies: [{ type: 'CHANGE', adjust: 1, expression: 'LOAD > 50', period: 1, period_number: 2 }],
      },
      { name: 'db', vm_template: vmTemplate, cardinality: 1, vm_template_contents: 'ROLE_KIND = "database"' },
    ],
  });

  let shop = -1;

  test('a three-role straight service deploys parents first, as its owner, and tags its VMs', async () => {
    const t = await as.createTemplate(threeRoles());
    assert.equal(t.TYPE, '101');
    const created = await as.instantiate<ServiceBody>(Number(t.ID), { name: 'shop-svc' });
    assert.equal(created.TYPE, '100');
    shop = Number(created.ID);
    const s = await until(shop, 'the service to run', (x) => x.TEMPLATE.BODY.state === 2);
    const [db] = vmIds(s, 'db');
    const app = vmIds(s, 'app');
    const [lb] = vmIds(s, 'lb');
    assert.equal(app.length, 2);
    assert.ok(app.every((v) => v > db!) && app.every((v) => v < lb!), `VM ids in order db ${db} < app ${app} < lb ${lb}`);
    // Each child was created only once its parents ran.
    assert.ok(logIndex(s, /^Role db: new state RUNNING/) < logIndex(s, new RegExp(`^Role app: VM ${app[0]} `)), 'app after db runs');
    assert.ok(logIndex(s, /^Role app: new state RUNNING/) < logIndex(s, new RegExp(`^Role lb: VM ${lb} `)), 'lb after app runs');
    const stime = async (v: number) => childInt(await okXml(oned, 'one.vm.info', [v]), 'STIME');
    assert.ok((await stime(db!)) <= (await stime(app[0]!)));

    const vm = await okXml(oned, 'one.vm.info', [app[1]!]);
    assert.equal(childText(vm, 'NAME'), `app_1_(service_${shop})`);
    assert.equal(childText(vm, 'UNAME'), 'alice', 'created as the owner');
    const user = must(vm, 'USER_TEMPLATE');
    assert.equal(childText(user, 'SERVICE_ID'), String(shop));
    assert.equal(childText(user, 'ROLE_NAME'), 'app');
    assert.equal(childText(must(await okXml(oned, 'one.vm.info', [db!]), 'USER_TEMPLATE'), 'ROLE_KIND'), 'database', 'vm_template_contents reach the VM');
    assert.equal(role(s, 'db').nodes![0]!.vm_info!.VM.STATE, '3', 'show gives the VMs as oned sees them');
  });

  test('an elasticity rule fed by the VMs\' attributes scales a role up after period_number periods', async () => {
    for (const v of vmIds(await service(shop), 'app')) await okId(oned, 'one.vm.update', [v, 'LOAD = 90', 1], alice.session);
    const s = await until(shop, 'app to grow to 3 VMs', (x) => running(x, 'app', 3));
    assert.ok(logIndex(s, /^Role app scaling up from 2 to 3 nodes \(LOAD\[90\] > 50\)/) >= 0);
    for (const v of vmIds(s, 'app')) await okId(oned, 'one.vm.update', [v, 'LOAD = 10', 1], alice.session);
    await until(shop, 'the cooldown to end', (x) => x.TEMPLATE.BODY.state === 2 && role(x, 'app').state === 2);
  });

  test('`oneflow scale` grows a role to 4 and back to 2; the removed VMs are terminated; max_vms holds', async () => {
    const env = { ONEFLOW_URL: flow.url, ONE_AUTH: join(oned.location, 'alice_auth') };
    let r = await cli(oned, 'oneflow', ['scale', String(shop), 'app', '4'], env);
    assert.equal(r.code, 0, r.stderr);
    let s = await until(shop, 'app at 4 VMs', (x) => running(x, 'app', 4));
    const four = vmIds(s, 'app');
    r = await cli(oned, 'oneflow', ['scale', 'shop-svc', 'app', '2'], env);
    assert.equal(r.code, 0, r.stderr);
    s = await until(shop, 'app back at 2 VMs', (x) => running(x, 'app', 2));
    const removed = four.filter((v) => !vmIds(s, 'app').includes(v));
    assert.equal(removed.length, 2);
    for (const v of removed) {
      const end = Date.now() + 10000;
      while (childInt(await okXml(oned, 'one.vm.info', [v]), 'STATE') !== 6) {
        if (Date.now() > end) assert.fail(`VM ${v} was not terminated`);
        await sleep(100);
      }
    }
    r = await cli(oned, 'oneflow', ['scale', String(shop), 'app', '9'], env);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /cardinality 9 is above max_vms 5/);
    assert.equal(role(await service(shop), 'app').cardinality, 2, 'nothing changed');
  });

  test('bad templates and requests are refused with 400 (or 401) and nothing is made', async () => {
    const before = (await as.listTemplates()).length;
    const bad = async (body: unknown, msg: RegExp) => {
      const err = await as.createTemplate(body).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof FlowClientError, `refused: ${JSON.stringify(body)}`);
      assert.equal(err.status, 400);
      assert.match(err.message, msg);
    };
    const r = (name: string, parents: string[] = [], extra = {}) => ({ name, vm_template: vmTemplate, cardinality: 1, parents, ...extra });
    await bad({ name: 'c', deployment: 'straight', roles: [r('a', ['b']), r('b', ['a'])] }, /cycle: a -> b -> a/);
    await bad({ name: 'c', roles: [r('a', ['nobody'])] }, /parent role "nobody" does not exist/);
    await bad({ name: 'c', roles: [r('a', [], { cardinality: 7, max_vms: 3 })] }, /cardinality 7 is above max_vms 3/);
    await bad({ name: 'c', roles: [r('a', [], { elasticity_policies: [{ type: 'CHANGE', adjust: 1, expression: 'CPU >' }] })] }, /expression "CPU >"/);
    assert.equal((await as.listTemplates()).length, before);

    const noAuth = await fetch(`${flow.url}service`);
    assert.equal(noAuth.status, 401);
    const wrong = await new FlowClient({ url: flow.url, session: 'alice:wrong' }).listServices().then(() => 0, (e: FlowClientError) => e.status);
    assert.equal(wrong, 401);
    const bob = await addUser(oned, 'bob');
    const asBob = new FlowClient({ url: flow.url, session: bob.session });
    const denied = await asBob.scale(shop, 'app', 3).then(() => 0, (e: FlowClientError) => e.status);
    assert.equal(denied, 403, 'oned authorizes as the requesting user');
    const scaleErr = await as.scale(shop, 'nope', 1).then(() => undefined, (e: FlowClientError) => e);
    assert.equal(scaleErr?.status, 400);
  });

  test('a failed deployment leaves FAILED_DEPLOYING with the reason and its VMs listed; recover --delete removes it', async () => {
    const gone = await okId(oned, 'one.template.allocate', ['NAME = "doomed"\nCPU = 0.1\nMEMORY = 32'], alice.session);
    const t = await as.createTemplate({
      name: 'broken', deployment: 'straight',
      roles: [{ name: 'ok', vm_template: vmTemplate, cardinality: 1 }, { name: 'bad', vm_template: gone, cardinality: 1, parents: ['ok'] }],
    });
    await okId(oned, 'one.template.delete', [gone], alice.session);
    const id = Number((await as.instantiate(Number(t.ID))).ID);
    const s = await until(id, 'FAILED_DEPLOYING', (x) => x.TEMPLATE.BODY.state === 7);
    assert.equal(role(s, 'bad').state, 7);
    assert.ok(s.TEMPLATE.BODY.log.some((l) => l.severity === 'E' && new RegExp(`Role bad: cannot instantiate VM template ${gone}`).test(l.message)));
    const [okVm] = vmIds(s, 'ok');
    assert.ok(okVm !== undefined, 'the VMs made are listed');
    const r = await cli(oned, 'oneflow', ['recover', String(id), '--delete'], { ONEFLOW_URL: flow.url, ONE_AUTH: join(oned.location, 'alice_auth') });
    assert.equal(r.code, 0, r.stderr);
    const end = Date.now() + 20000;
    while ((await as.listServices()).some((x) => Number(x.ID) === id)) {
      if (Date.now() > end) assert.fail('the service was not deleted');
      await sleep(200);
    }
    assert.equal(childInt(await okXml(oned, 'one.vm.info', [okVm!]), 'STATE'), 6);
  });

  test('a server stopped in the middle of a deployment carries on after its restart', async () => {
    const t = await as.createTemplate({ name: 'single', deployment: 'none', roles: [{ name: 'one', vm_template: vmTemplate, cardinality: 2 }] });
    const id = Number((await as.instantiate(Number(t.ID))).ID);
    await flow.stop('SIGKILL');
    flow = await FlowProcess.start(oned, port);
    const s = await until(id, 'the service to run after the restart', (x) => running(x, 'one', 2));
    assert.equal(vmIds(s, 'one').length, 2, 'no VM made twice');
  });

  test('delete undeploys children before parents and removes the service', async () => {
    const vms = (await service(shop)).TEMPLATE.BODY.roles.flatMap((r) => (r.nodes ?? []).map((n) => n.deploy_id));
    await as.deleteService(shop);
    let last: Service | undefined;
    const end = Date.now() + 30000;
    for (;;) {
      try {
        last = await service(shop);
      } catch (err) {
        assert.equal((err as FlowClientError).status, 404);
        break;
      }
      if (Date.now() > end) assert.fail('the service was not deleted');
      await sleep(100);
    }
    assert.ok(last);
    const at = (n: string) => logIndex(last!, new RegExp(`^Role ${n}: new state UNDEPLOYING`));
    assert.ok(at('lb') >= 0 && at('lb') < at('app') && at('app') < at('db'), `lb ${at('lb')} < app ${at('app')} < db ${at('db')}`);
    for (const v of vms) assert.equal(childInt(await okXml(oned, 'one.vm.info', [v]), 'STATE'), 6, `VM ${v} terminated`);
  });

  test('the oneflow-template and oneflow commands', async () => {
    const env = { ONEFLOW_URL: flow.url, ONE_AUTH: join(oned.location, 'alice_auth') };
    const run = async (cmd: string, ...args: string[]) => {
      const r = await cli(oned, cmd, args, env);
      assert.equal(r.code, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const file = join(oned.location, 'tiny.json');
    writeFileSync(file, JSON.stringify({ name: 'tiny', deployment: 'none', roles: [{ name: 'solo', vm_template: vmTemplate, cardinality: 1 }] }));
    const tid = /^ID: (\d+)$/m.exec(await run('oneflow-template', 'create', file))![1]!;
    const list = await run('oneflow-template', 'list');
    assert.match(list.split('\n')[0]!, /^\s*ID\s+USER\s+GROUP\s+NAME\s+REGTIME/);
    assert.match(list, new RegExp(`^\\s*${tid}\\s+alice\\s+users\\s+tiny\\s`, 'm'));
    assert.match(await run('oneflow-template', 'show', 'tiny'), /SERVICE TEMPLATE \d+ INFORMATION[\s\S]*"solo"/);
    const cid = /^ID: (\d+)$/m.exec(await run('oneflow-template', 'clone', tid, 'tiny-copy'))![1]!;
    await run('oneflow-template', 'rename', cid, 'tiny-two');
    await run('oneflow-template', 'chmod', cid, '640');
    const copy = JSON.parse(await run('oneflow-template', 'show', cid, '--json')) as { DOCUMENT: FlowDocument };
    assert.equal(copy.DOCUMENT.NAME, 'tiny-two');
    assert.equal(copy.DOCUMENT.PERMISSIONS.GROUP_U, '1');
    await run('oneflow-template', 'delete', cid);
    const bad = await cli(oned, 'oneflow-template', ['create', join(oned.location, 'missing.json')], env);
    assert.equal(bad.code, 255);
    assert.match(bad.stderr, /Cannot read .*missing.json: no such file/);

    const sid = /^ID: (\d+)$/m.exec(await run('oneflow-template', 'instantiate', tid, '--name', 'tiny-svc'))![1]!;
    await until(Number(sid), 'tiny-svc to run', (x) => running(x, 'solo', 1));
    const services = await run('oneflow', 'list');
    assert.match(services.split('\n')[0]!, /^\s*ID\s+USER\s+GROUP\s+NAME\s+STARTTIME\s+STATE/);
    assert.match(services, new RegExp(`^\\s*${sid}\\s+alice\\s+users\\s+tiny-svc\\s.*RUNNING`, 'm'));
    const shown = await run('oneflow', 'show', 'tiny-svc');
    assert.match(shown, /SERVICE STATE\s*:\s*RUNNING/);
    assert.match(shown, /ROLE solo[\s\S]*NODES INFORMATION[\s\S]*solo_0_\(service_/);
    assert.match(shown, /LOG MESSAGES[\s\S]*New state: RUNNING/);
    await run('oneflow', 'rename', sid, 'tiny-renamed');
    await run('oneflow', 'chmod', sid, '604');
    const after = JSON.parse(await run('oneflow', 'show', sid, '--json')) as { DOCUMENT: FlowDocument };
    assert.equal(after.DOCUMENT.NAME, 'tiny-renamed');
    assert.equal(after.DOCUMENT.PERMISSIONS.OTHER_U, '1');
    await run('oneflow', 'delete', sid);
    const end = Date.now() + 20000;
    while ((await as.listServices()).some((x) => x.NAME === 'tiny-renamed')) {
      if (Date.now() > end) assert.fail('the service was not deleted');
      await sleep(200);
    }
    const down = await cli(oned, 'oneflow', ['list'], { ...env, ONEFLOW_URL: 'http://127.0.0.1:1' });
    assert.equal(down.code, 255);
    assert.match(down.stderr, /Cannot reach oneflow-server at http:\/\/127.0.0.1:1/);
    assert.ok(all(await okXml(oned, 'one.documentpool.info', [-2, -1, -1, 101]), 'DOCUMENT').length >= 1, 'templates are documents of type 101');
  });
});

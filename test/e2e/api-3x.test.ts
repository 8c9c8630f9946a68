/**
 * The 3.x API (release 3.8.5, and 3.0's publish), driven as a 3.x client drives it: raw
 * XML-RPC with 3.x method names, 3.x argument lists (no 4.x or HEAD extra argument anywhere)
 * and 3.x `one.vm.action` strings, on the dummy drivers. A 4.x-only argument or string is
 * refused with an error naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, all, idsIn, must, okId, okXml, onFeatureBackends, permissionsOf, refused, templateOf } from './api-helpers.js';

/** VM and LCM states (spec §3.1, §3.2). */
const S = { PENDING: 1, HOLD: 2, ACTIVE: 3, STOPPED: 4, SUSPENDED: 5, DONE: 6, POWEROFF: 8 } as const;
const L = { NONE: 0, RUNNING: 3 } as const;

const SMALL = 'CPU = 1\nMEMORY = 64\n';

async function vmInfo(oned: Oned, id: number): Promise<XmlNode> {
  return okXml(oned, 'one.vm.info', [id]);
}

async function waitFor(oned: Oned, id: number, state: number, lcm: number = L.NONE, ms = 8000): Promise<XmlNode> {
  const until = Date.now() + ms;
  let last: XmlNode;
  do {
    last = await vmInfo(oned, id);
    if (childInt(last, 'STATE') === state && childInt(last, 'LCM_STATE') === lcm) return last;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
  assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(last, 'STATE')}/${childInt(last, 'LCM_STATE')}`);
}

/** `one.vm.action` as 3.x calls it: (session, action, id). */
function action(oned: Oned, name: string, id: number, session = oned.oneadmin): Promise<number> {
  return okId(oned, 'one.vm.action', [name, id], session);
}

onFeatureBackends('the 3.x API', (oned) => {
  let host = -1;
  let user = { id: -1, session: '' };

  /** A RUNNING VM made with 3.x calls: allocate(template), deploy(id, host). */
  async function runningVm(extra = ''): Promise<number> {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [`${SMALL}${extra}`]);
    assert.equal(await okId(o, 'one.vm.deploy', [id, host]), id);
    await waitFor(o, id, S.ACTIVE, L.RUNNING);
    return id;
  }

  test('setup with 3.x calls: version, datastore update (replace), 5-argument and 3.0 host.allocate, user.allocate(name, password, driver)', async () => {
    const o = oned();
    const version = await o.call('one.system.version', []);
    assert.equal(version[0], true);
    // 3.x update replaces the template: read it, change TM_MAD, write it all back.
    const ds0 = templateOf(await okXml(o, 'one.datastore.info', [0]));
    ds0.TM_MAD = 'dummy';
    const text = Object.entries(ds0)
      .filter(([, v]) => !v.startsWith('{'))
      .map(([k, v]) => `${k} = "${v}"`)
      .join('\n');
    await okId(o, 'one.datastore.update', [0, text]);
    assert.equal(templateOf(await okXml(o, 'one.datastore.info', [0])).TM_MAD, 'dummy');
    host = await okId(o, 'one.host.allocate', ['h3x', 'dummy', 'dummy', 'dummy', -1]);
    const h = await okXml(o, 'one.host.info', [host]);
    assert.equal(childText(h, 'CLUSTER_ID'), '0');
    // 3.0: (name, im_mad, vmm_mad, tm_mad), the transfer driver kept in the template.
    const h30 = await okId(o, 'one.host.allocate', ['h30', 'dummy', 'dummy', 'tm_dummy']);
    const t30 = templateOf(await okXml(o, 'one.host.info', [h30]));
    assert.equal(t30.TM_MAD, 'tm_dummy');
    assert.equal(t30.VN_MAD, undefined);
    await okId(o, 'one.host.delete', [h30]);
    const uid = await okId(o, 'one.user.allocate', ['u3x', 'pw3x', 'core']);
    user = { id: uid, session: 'u3x:pw3x' };
    await okId(o, 'one.user.chauth', [uid, 'core', 'pw3x-2']);
    user = { id: uid, session: 'u3x:pw3x-2' };
    await okXml(o, 'one.user.info', [uid], user.session);
  });

  test('shutdown (→ terminate) and cancel (→ terminate-hard) from RUNNING end in DONE; from PENDING they are refused as 3.x refused them', async () => {
    const o = oned();
    const a = await runningVm();
    assert.equal(await action(o, 'shutdown', a), a);
    await waitFor(o, a, S.DONE);
    const b = await runningVm();
    await action(o, 'cancel', b);
    await waitFor(o, b, S.DONE);
    const pending = await okId(o, 'one.vm.allocate', [SMALL]);
    await refused(o, 'one.vm.action', ['shutdown', pending], Code.ACTION, /Error performing action "shutdown": This action is not available for state PENDING/);
    await refused(o, 'one.vm.action', ['cancel', pending], Code.ACTION, /Error performing action "cancel"/);
    assert.equal(childInt(await vmInfo(o, pending), 'STATE'), S.PENDING, 'a refused action changes nothing');
    await action(o, 'finalize', pending);
  });

  test('reset (→ reboot-hard) keeps a RUNNING VM running; refused when not RUNNING', async () => {
    const o = oned();
    const id = await runningVm();
    await action(o, 'reset', id);
    await action(o, 'reboot', id);
    await waitFor(o, id, S.ACTIVE, L.RUNNING);
    await action(o, 'poweroff', id);
    await waitFor(o, id, S.POWEROFF);
    await refused(o, 'one.vm.action', ['reset', id], Code.ACTION, /"reset": This action is not available for state POWEROFF/);
    // restart boots a powered-off VM again (HEAD's resume from POWEROFF).
    await action(o, 'restart', id);
    await waitFor(o, id, S.ACTIVE, L.RUNNING);
    await refused(o, 'one.vm.action', ['restart', id], Code.ACTION, /"restart": This action is not available for state RUNNING/);
    await action(o, 'shutdown', id);
    await waitFor(o, id, S.DONE);
  });

  test('the 3.x strings HEAD kept: hold, release, stop, resume, suspend, resched, unresched', async () => {
    const o = oned();
    const p = await okId(o, 'one.vm.allocate', [SMALL]);
    await action(o, 'hold', p);
    assert.equal(childInt(await vmInfo(o, p), 'STATE'), S.HOLD);
    await action(o, 'release', p);
    assert.equal(childInt(await vmInfo(o, p), 'STATE'), S.PENDING);
    await action(o, 'finalize', p);
    const id = await runningVm();
    await action(o, 'resched', id);
    assert.equal(childText(await vmInfo(o, id), 'RESCHED'), '1');
    await action(o, 'unresched', id);
    assert.equal(childText(await vmInfo(o, id), 'RESCHED'), '0');
    await action(o, 'suspend', id);
    await waitFor(o, id, S.SUSPENDED);
    await action(o, 'resume', id);
    await waitFor(o, id, S.ACTIVE, L.RUNNING);
    await action(o, 'stop', id);
    await waitFor(o, id, S.STOPPED);
    await action(o, 'resume', id);
    await waitFor(o, id, S.PENDING);
    await okId(o, 'one.vm.deploy', [id, host]);
    await waitFor(o, id, S.ACTIVE, L.RUNNING);
    await action(o, 'cancel', id);
    await waitFor(o, id, S.DONE);
  });

  test('finalize (→ recover delete) ends a VM in any state but DONE; resubmit (→ recover delete-recreate) brings it back to PENDING with the same id', async () => {
    const o = oned();
    const id = await runningVm();
    await action(o, 'resubmit', id);
    const again = await waitFor(o, id, S.PENDING);
    assert.equal(childText(again, 'ID'), String(id));
    await okId(o, 'one.vm.deploy', [id, host]);
    await waitFor(o, id, S.ACTIVE, L.RUNNING);
    await action(o, 'poweroff', id);
    await waitFor(o, id, S.POWEROFF);
    await refused(o, 'one.vm.action', ['resubmit', id], Code.ACTION, /"resubmit": This action is not available for state POWEROFF/);
    await action(o, 'finalize', id);
    await waitFor(o, id, S.DONE);
    await refused(o, 'one.vm.action', ['finalize', id], Code.ACTION, /"finalize": This action is not available for state DONE/);
    await refused(o, 'one.vm.action', ['resubmit', id], Code.ACTION, /"resubmit"/);
  });

  test('finalize and resubmit need ADMIN on the VM, as HEAD\'s recover; shutdown only MANAGE', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [SMALL], user.session);
    await refused(o, 'one.vm.action', ['finalize', id], Code.AUTHORIZATION, /Not authorized to perform ADMIN VM/, user.session);
    await refused(o, 'one.vm.action', ['resubmit', id], Code.AUTHORIZATION, /Not authorized to perform ADMIN VM/, user.session);
    await action(o, 'hold', id, user.session);
    await action(o, 'release', id, user.session);
    await action(o, 'finalize', id);
  });

  test('unknown and 4.x-only action strings are refused naming the string', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [SMALL]);
    await refused(o, 'one.vm.action', ['shutdown-hard', id], Code.ACTION, /Action "shutdown-hard" is not supported: it is a 4\.x action string, use terminate-hard/);
    await refused(o, 'one.vm.action', ['delete', id], Code.ACTION, /Action "delete" is not supported: it is a 4\.x action string/);
    await refused(o, 'one.vm.action', ['explode', id], Code.ACTION, /Action "explode" is not supported$/);
    assert.equal(childInt(await vmInfo(o, id), 'STATE'), S.PENDING);
    await action(o, 'finalize', id);
  });

  test('3.x VM calls: migrate(id, host, live), attach(id, DISK), detach(id, disk_id), monitoring(id), chown(id, uid, gid), chmod(id, 9 bits)', async () => {
    const o = oned();
    const h2 = await okId(o, 'one.host.allocate', ['h3x-b', 'dummy', 'dummy', 'dummy', -1]);
    const id = await runningVm();
    await okId(o, 'one.vm.migrate', [id, h2, true]);
    const moved = await waitFor(o, id, S.ACTIVE, L.RUNNING);
    const hist = all(must(moved, 'HISTORY_RECORDS'), 'HISTORY');
    assert.equal(childText(hist[hist.length - 1]!, 'HID'), String(h2));
    await okId(o, 'one.vm.attach', [id, 'DISK = [ TYPE = fs, SIZE = 8 ]']);
    let v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
    const disk = all(must(v, 'TEMPLATE'), 'DISK').find((d) => childText(d, 'SIZE') === '8');
    assert.ok(disk, 'the attached disk is in the template');
    await okId(o, 'one.vm.detach', [id, Number(childText(disk, 'DISK_ID'))]);
    v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
    assert.equal(all(must(v, 'TEMPLATE'), 'DISK').length, 0);
    const mon = await o.call('one.vm.monitoring', [id]);
    assert.equal(mon[0], true);
    await okId(o, 'one.vm.chmod', [id, 1, 1, 0, 1, 0, 0, 0, 0, 0]);
    assert.equal(permissionsOf(await vmInfo(o, id)), '110100000');
    await okId(o, 'one.vm.chown', [id, user.id, -1]);
    assert.equal(childText(await vmInfo(o, id), 'UID'), String(user.id));
    await action(o, 'cancel', id);
    await waitFor(o, id, S.DONE);
  });

  test('3.x pool listings: vmpool.info(filter, start, end, state), templatepool/imagepool/vnpool.info(filter, start, end), documentpool.info(filter, start, end, type), the argument-less pools, vmpool.monitoring(filter), vmpool.accounting(filter, start, end)', async () => {
    const o = oned();
    const a = await okId(o, 'one.vm.allocate', [SMALL]);
    const b = await okId(o, 'one.vm.allocate', [SMALL]);
    const pending = await okXml(o, 'one.vmpool.info', [-2, -1, -1, S.PENDING]);
    const ids = idsIn(pending, 'VM');
    assert.ok(ids.includes(a) && ids.includes(b));
    assert.deepEqual(idsIn(await okXml(o, 'one.vmpool.info', [-2, a, a, -1]), 'VM'), [a]);
    const mine = await okXml(o, 'one.vmpool.info', [-3, -1, -1, -1], user.session);
    assert.ok(idsIn(mine, 'VM').every((id) => id !== a), "a user's own listing does not show oneadmin's VMs");
    const tid = await okId(o, 'one.template.allocate', [`NAME = "pool-t"\n${SMALL}`]);
    assert.ok(idsIn(await okXml(o, 'one.templatepool.info', [-2, -1, -1]), 'VMTEMPLATE').includes(tid));
    assert.equal((await okXml(o, 'one.imagepool.info', [-2, -1, -1])).name, 'IMAGE_POOL');
    assert.equal((await okXml(o, 'one.vnpool.info', [-2, -1, -1])).name, 'VNET_POOL');
    const doc = await okId(o, 'one.document.allocate', ['NAME = "d3x"', 7]);
    assert.deepEqual(idsIn(await okXml(o, 'one.documentpool.info', [-2, -1, -1, 7]), 'DOCUMENT'), [doc]);
    for (const m of ['one.hostpool.info', 'one.hostpool.monitoring', 'one.userpool.info', 'one.grouppool.info', 'one.clusterpool.info', 'one.datastorepool.info', 'one.acl.info']) {
      const r = await o.call(m, []);
      assert.equal(r[0], true, `${m} with no arguments: ${JSON.stringify(r)}`);
    }
    assert.equal((await o.call('one.vmpool.monitoring', [-2]))[0], true);
    const acct = await okXml(o, 'one.vmpool.accounting', [-2, -1, -1]);
    assert.equal(acct.name, 'HISTORY_RECORDS');
    await action(o, 'finalize', a);
    await action(o, 'finalize', b);
  });

  test('3.x templates: allocate, update(id, template) replaces, instantiate(id, name), clone(id, name)', async () => {
    const o = oned();
    const tid = await okId(o, 'one.template.allocate', [`NAME = "t3x"\n${SMALL}LABEL = "a"`]);
    await okId(o, 'one.template.update', [tid, `${SMALL}OTHER = "b"`]);
    const t = templateOf(await okXml(o, 'one.template.info', [tid]));
    assert.equal(t.OTHER, 'b');
    assert.equal(t.LABEL, undefined, '3.x update replaces the whole template');
    const vid = await okId(o, 'one.template.instantiate', [tid, 'from-3x']);
    assert.equal(childText(await vmInfo(o, vid), 'NAME'), 'from-3x');
    const copy = await okId(o, 'one.template.clone', [tid, 't3x-copy']);
    assert.equal(childText(await okXml(o, 'one.template.info', [copy]), 'NAME'), 't3x-copy');
    await action(o, 'finalize', vid);
  });

  test('the 3-argument one.acl.addrule (no zone) adds a rule; delrule removes it; a malformed one is refused', async () => {
    const o = oned();
    // #<uid> VM/* USE: user 0x100000000 + uid, resource VM (0x1000000000) + all (0x400000000), USE 0x1.
    const userHex = (0x100000000 + user.id).toString(16);
    const id = await okId(o, 'one.acl.addrule', [userHex, '1400000000', '1']);
    const rules = all(await okXml(o, 'one.acl.info', []), 'ACL');
    const rule = rules.find((r) => childText(r, 'ID') === String(id));
    assert.ok(rule, 'the new rule is listed');
    assert.equal(childText(rule, 'USER'), userHex.toUpperCase());
    assert.equal(childText(rule, 'RESOURCE'), '1400000000');
    await refused(o, 'one.acl.addrule', ['zz', '1400000000', '1'], Code.INTERNAL, /./);
    await okId(o, 'one.acl.delrule', [id]);
    assert.ok(!all(await okXml(o, 'one.acl.info', []), 'ACL').some((r) => childText(r, 'ID') === String(id)));
  });

  test('3.0 publish: template, image and vn publish(id, true) share with the group (and others for oneadmin); publish(id, false) unshares', async () => {
    const o = oned();
    const tid = await okId(o, 'one.template.allocate', [`NAME = "pub-t"\n${SMALL}`], user.session);
    assert.equal(permissionsOf(await okXml(o, 'one.template.info', [tid])), '110000000');
    await okId(o, 'one.template.publish', [tid, true], user.session);
    // ENABLE_OTHER_PERMISSIONS is off here: a user's publish shares with the group only.
    assert.equal(permissionsOf(await okXml(o, 'one.template.info', [tid])), '110100000');
    await okId(o, 'one.template.publish', [tid, true]);
    assert.equal(permissionsOf(await okXml(o, 'one.template.info', [tid])), '110100100');
    await okId(o, 'one.template.publish', [tid, false], user.session);
    assert.equal(permissionsOf(await okXml(o, 'one.template.info', [tid])), '110000000');
    const mine = await okId(o, 'one.template.allocate', [`NAME = "admin-t"\n${SMALL}`]);
    await refused(o, 'one.template.publish', [mine, true], Code.AUTHORIZATION, /Not authorized to perform MANAGE TEMPLATE/, user.session);
    await refused(o, 'one.template.publish', [4242, true], Code.NO_EXISTS, /4242/);

    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "img3x"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const img = await okId(o, 'one.image.allocate', ['NAME = "i3x"\nPATH = "/nowhere.img"\nTYPE = "DATABLOCK"\nSIZE = 10', ds]);
    await okId(o, 'one.image.publish', [img, true]);
    assert.equal(permissionsOf(await okXml(o, 'one.image.info', [img])), '110100100');
    await okId(o, 'one.image.publish', [img, false]);
    assert.equal(permissionsOf(await okXml(o, 'one.image.info', [img])), '110000000');

    const vn = await okId(o, 'one.vn.allocate', ['NAME = "pub-net"\nTYPE = FIXED\nBRIDGE = br0\nLEASES = [ IP = 10.9.0.1 ]', -1]);
    await okId(o, 'one.vn.publish', [vn, true]);
    assert.equal(permissionsOf(await okXml(o, 'one.vn.info', [vn])), '110100100');
    await okId(o, 'one.vn.publish', [vn, false]);
    assert.equal(permissionsOf(await okXml(o, 'one.vn.info', [vn])), '110000000');
  });

  test('FIXED networks: addleases / rmleases (LEASES = [IP, MAC]) add and remove single addresses a VM can take; hold / release in the 3.x form', async () => {
    const o = oned();
    const vn = await okId(o, 'one.vn.allocate', ['NAME = "fixed3x"\nTYPE = FIXED\nBRIDGE = br0\nLEASES = [ IP = 10.3.0.1 ]\nLEASES = [ IP = 10.3.0.2, MAC = "02:00:aa:bb:cc:02" ]', -1]);
    const ips = async () => all(must(await okXml(o, 'one.vn.info', [vn]), 'AR_POOL'), 'AR').map((ar) => childText(ar, 'IP'));
    assert.deepEqual(await ips(), ['10.3.0.1', '10.3.0.2']);
    assert.equal(await okId(o, 'one.vn.addleases', [vn, 'LEASES = [ IP = 10.3.0.7, MAC = "02:00:aa:bb:cc:07" ]']), vn);
    assert.deepEqual(await ips(), ['10.3.0.1', '10.3.0.2', '10.3.0.7']);
    const ar7 = all(must(await okXml(o, 'one.vn.info', [vn]), 'AR_POOL'), 'AR').find((ar) => childText(ar, 'IP') === '10.3.0.7')!;
    assert.equal(childText(ar7, 'MAC'), '02:00:aa:bb:cc:07');
    assert.equal(childText(ar7, 'SIZE'), '1');
    // Bad input changes nothing.
    await refused(o, 'one.vn.addleases', [vn, 'LEASES = [ IP = 10.3.0.7 ]'], Code.ACTION, /Cannot add lease 10\.3\.0\.7 to virtual network .*overlaps/);
    await refused(o, 'one.vn.addleases', [vn, 'LEASES = [ IP = 10.3.0.8, AR_ID = 0 ]'], Code.XML_RPC_API, /take IP and MAC only, not AR_ID/);
    await refused(o, 'one.vn.addleases', [vn, 'LEASES = [ MAC = "02:00:00:00:00:01" ]'], Code.XML_RPC_API, /LEASES needs an IP/);
    await refused(o, 'one.vn.addleases', [vn, 'IP = 10.3.0.9'], Code.XML_RPC_API, /one LEASES vector/);
    await refused(o, 'one.vn.addleases', [vn, 'LEASES = [ IP = "10.3.0.300" ]'], Code.ACTION, /Cannot add lease/);
    assert.deepEqual(await ips(), ['10.3.0.1', '10.3.0.2', '10.3.0.7']);

    // A VM takes the added lease; while it has it, rmleases refuses.
    const id = await okId(o, 'one.vm.allocate', [`${SMALL}NIC = [ NETWORK_ID = ${vn}, IP = 10.3.0.7 ]`]);
    const nic = must(must(await vmInfo(o, id), 'TEMPLATE'), 'NIC');
    assert.deepEqual([childText(nic, 'IP'), childText(nic, 'MAC')], ['10.3.0.7', '02:00:aa:bb:cc:07']);
    await refused(o, 'one.vn.rmleases', [vn, 'LEASES = [ IP = 10.3.0.7 ]'], Code.ACTION, /Lease 10\.3\.0\.7 .* is in use/);
    await action(o, 'finalize', id);
    await waitFor(o, id, S.DONE);
    assert.equal(await okId(o, 'one.vn.rmleases', [vn, 'LEASES = [ IP = 10.3.0.7 ]']), vn);
    assert.deepEqual(await ips(), ['10.3.0.1', '10.3.0.2']);
    await refused(o, 'one.vn.rmleases', [vn, 'LEASES = [ IP = 10.3.0.7 ]'], Code.ACTION, /has no lease 10\.3\.0\.7/);

    // hold / release with LEASES = [IP] (no AR_ID): a held lease cannot be removed.
    await okId(o, 'one.vn.hold', [vn, 'LEASES = [ IP = 10.3.0.1 ]']);
    await refused(o, 'one.vn.rmleases', [vn, 'LEASES = [ IP = 10.3.0.1 ]'], Code.ACTION, /in use/);
    await okId(o, 'one.vn.release', [vn, 'LEASES = [ IP = 10.3.0.1 ]']);
    await okId(o, 'one.vn.rmleases', [vn, 'LEASES = [ IP = 10.3.0.1 ]']);
    assert.deepEqual(await ips(), ['10.3.0.2']);

    // RANGED networks have address ranges, not leases to add.
    const ranged = await okId(o, 'one.vn.allocate', ['NAME = "ranged3x"\nTYPE = RANGED\nBRIDGE = br0\nNETWORK_ADDRESS = 10.4.0.0\nNETWORK_SIZE = C', -1]);
    await refused(o, 'one.vn.addleases', [ranged, 'LEASES = [ IP = 10.5.0.1 ]'], Code.ACTION, /only be added to or removed from FIXED networks; virtual network \d+ is not one \(address range 0 has \d+ addresses\)/);
    await refused(o, 'one.vn.rmleases', [ranged, 'LEASES = [ IP = 10.4.0.1 ]'], Code.ACTION, /FIXED networks/);
    await refused(o, 'one.vn.addleases', [4242, 'LEASES = [ IP = 10.5.0.1 ]'], Code.NO_EXISTS, /4242/);
    // A user without MANAGE on the network may not add leases.
    await refused(o, 'one.vn.addleases', [vn, 'LEASES = [ IP = 10.3.0.9 ]'], Code.AUTHORIZATION, /Not authorized/, user.session);
    assert.equal(child(await okXml(o, 'one.vn.info', [vn]), 'ID')?.text, String(vn));
  });
  test('savedisk(id, disk_id, name, type): the image is made at once (LOCKED), the epilog moves the disk into it (MVDS), READY once the VM is done', async () => {
    const o = oned();
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "save3x"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const base = await okId(o, 'one.image.allocate', ['NAME = "base3x"\nPATH = "/nowhere/base.img"\nTYPE = "OS"', ds]);
    const until = Date.now() + 5000;
    while (childText(await okXml(o, 'one.image.info', [base]), 'STATE') !== '1' && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    const id = await runningVm(`DISK = [ IMAGE_ID = ${base} ]\nDISK = [ TYPE = fs, SIZE = 4 ]`);
    // Bad input first: nothing is made.
    await refused(o, 'one.vm.savedisk', [id, 1, 'vol', ''], Code.ACTION, /DISK 1 of VM \d+ is volatile/);
    await refused(o, 'one.vm.savedisk', [id, 7, 'none', ''], Code.ACTION, /has no DISK with DISK_ID 7/);
    await refused(o, 'one.vm.savedisk', [id, 0, 'hot', '', true], Code.XML_RPC_API, /takes \(id, disk_id, image_name, image_type\) as in 3\.x; a 5th argument/);
    await refused(o, 'one.vm.savedisk', [id, 0, 'bad', 'FLOPPY'], Code.XML_RPC_API, /Unknown image type "FLOPPY"/);
    await refused(o, 'one.vm.savedisk', [id, 0, 'base3x', ''], Code.ALLOCATE, /NAME is already taken/);
    const before = idsIn(await okXml(o, 'one.imagepool.info', [-2, -1, -1]), 'IMAGE');
    assert.ok(!before.some((i) => i > base), 'refused calls made no image');

    const saved = await okId(o, 'one.vm.savedisk', [id, 0, 'saved3x', '']);
    assert.ok(!before.includes(saved));
    const img = await okXml(o, 'one.image.info', [saved]);
    assert.equal(childText(img, 'STATE'), '4', 'LOCKED until the VM is shut down');
    assert.equal(childText(img, 'TYPE'), '0', 'the type of the source image when none is given');
    assert.equal(childText(img, 'DATASTORE_ID'), String(ds));
    const source = childText(img, 'SOURCE');
    assert.notEqual(source, '');
    assert.equal(templateOf(img).SAVED_VM_ID, String(id));
    const disk = all(must(await vmInfo(o, id), 'TEMPLATE'), 'DISK').find((d) => childText(d, 'DISK_ID') === '0')!;
    assert.deepEqual([childText(disk, 'SAVE'), childText(disk, 'SAVE_AS'), childText(disk, 'SAVE_AS_SOURCE')], ['YES', String(saved), source]);
    await refused(o, 'one.vm.savedisk', [id, 0, 'twice', ''], Code.ACTION, /already to be saved as image/);
    // A non-persistent disk has no MVDS of its own: the one below is the save-as (its target is unit-tested in transfer-manager.test.ts).

    await action(o, 'shutdown', id);
    await waitFor(o, id, S.DONE);
    const dir = join(o.location, 'var', 'vms', String(id));
    const epilog = readdirSync(dir).filter((f) => /^transfer\.\d+\.epilog$/.test(f)).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.match(epilog, new RegExp(`^MVDS dummy \\S+/disk\\.0 ${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ${id} ${ds}$`, 'm'));
    assert.equal(childText(await okXml(o, 'one.image.info', [saved]), 'STATE'), '1', 'READY once the VM is done');
    assert.equal(childText(await okXml(o, 'one.image.info', [base]), 'STATE'), '1', 'the source image is READY again, unchanged');
  });

  // OTHER rights only where the caller may grant them: a user's publish then shares with the group.
}, 'ENABLE_OTHER_PERMISSIONS = "NO"');

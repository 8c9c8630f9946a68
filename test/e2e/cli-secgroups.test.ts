/**
 * `onesecgroup` and `onevm sg-attach` / `sg-detach` as an admin uses them against a real oned
 * (dummy drivers, SQLite): create from a file, list with OpenNebula's columns, show with the
 * rules and the VMs, update, clone, rename, chgrp, chmod, commit, delete; a bad rule gives one
 * line and exit 255.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { Oned } from './harness.js';
import { idList, okId, okXml, waitFor } from './api-helpers.js';

const CONF = 'HOST_MONITORING_INTERVAL = 0\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n';

describe('onesecgroup and onevm sg-attach on sqlite', () => {
  let oned: Oned;
  let vm = -1;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: CONF });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const net = await okId(oned, 'one.vn.allocate', ['NAME = "lan"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.3.0.2", SIZE = "9" ]', -1]);
    const h = await okId(oned, 'one.host.allocate', ['sg-node', 'dummy', 'dummy', -1]);
    vm = await okId(oned, 'one.vm.allocate', [`NAME = "app"\nCPU = 1\nMEMORY = 64\nNIC = [ NETWORK_ID = ${net} ]`]);
    await okId(oned, 'one.vm.deploy', [vm, h]);
    await waitFor(oned, vm, 3, 3);
  });
  after(() => oned?.stop());

  test('create, list, show, update, clone, rename, chgrp, chmod, commit, delete', async () => {
    const file = join(oned.location, 'web.tmpl');
    writeFileSync(file, 'NAME = "web"\nRULE = [ PROTOCOL = "TCP", RULE_TYPE = "inbound", RANGE = "80,443" ]\nRULE = [ PROTOCOL = "ALL", RULE_TYPE = "outbound" ]\n');
    assert.equal((await cliOk(oned, 'onesecgroup', ['create', file])).trim(), 'ID: 100');
    const list = rows(await cliOk(oned, 'onesecgroup', ['list']));
    assert.deepEqual(list[0], ['ID', 'USER', 'GROUP', 'NAME', 'UPDATED', 'OUTDATED', 'ERROR']);
    const byId = new Map(list.slice(1).map((r) => [r[0], [r[3], r[4], r[5], r[6]]]));
    assert.deepEqual(byId.get('100'), ['web', '0', '0', '0']);
    assert.deepEqual(byId.get('0'), ['default', '1', '0', '0'], 'the VM is in the default group');
    const show = await cliOk(oned, 'onesecgroup', ['show', 'web']);
    assert.match(show, /SECURITY GROUP 100 INFORMATION/);
    assert.match(show, /INBOUND\s+TCP\s+Any\s+80,443/);
    assert.match(show, /OUTBOUND\s+ALL\s+Any\s+Any/);

    await cliOk(oned, 'onevm', ['sg-attach', 'app', '0', 'web']);
    const web = await okXml(oned, 'one.secgroup.info', [100]);
    assert.deepEqual([...idList(web, 'UPDATED_VMS'), ...idList(web, 'UPDATING_VMS')], [vm]);
    assert.match(await cliOk(oned, 'onesecgroup', ['show', 'web']), new RegExp(`UPDAT(ED|ING)\\s+: ${vm}`));

    const more = join(oned.location, 'more.tmpl');
    writeFileSync(more, 'RULE = [ PROTOCOL = "ICMP", RULE_TYPE = "inbound", ICMP_TYPE = "8" ]\n');
    await cliOk(oned, 'onesecgroup', ['update', 'web', more, '--append']);
    assert.match(await cliOk(oned, 'onesecgroup', ['show', 'web']), /INBOUND\s+ICMP\s+Any\s+8/);
    await cliOk(oned, 'onesecgroup', ['commit', 'web', '--recover']);

    writeFileSync(more, 'RULE = [ PROTOCOL = "TCP", RULE_TYPE = "inbound", RANGE = "1-2" ]\n');
    const bad = await cli(oned, 'onesecgroup', ['update', 'web', more, '--append']);
    assert.equal(bad.code, 255, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /Invalid RANGE/);

    assert.equal((await cliOk(oned, 'onesecgroup', ['clone', 'web', 'web-copy'])).trim(), 'ID: 101');
    await cliOk(oned, 'onesecgroup', ['rename', 'web-copy', 'api']);
    await cliOk(oned, 'onesecgroup', ['chgrp', 'api', 'users']);
    await cliOk(oned, 'onesecgroup', ['chmod', 'api', '640']);
    const api = await okXml(oned, 'one.secgroup.info', [101]);
    assert.deepEqual([childText(api, 'NAME'), childText(api, 'GNAME')], ['api', 'users']);
    await cliOk(oned, 'onesecgroup', ['delete', 'api']);

    const inUse = await cli(oned, 'onesecgroup', ['delete', 'web']);
    assert.equal(inUse.code, 255);
    assert.match(inUse.stderr, /use it/);
    await cliOk(oned, 'onevm', ['sg-detach', 'app', '0', 'web']);
    await cliOk(oned, 'onesecgroup', ['delete', 'web']);
    const nic = parseXmlTree(await cliOk(oned, 'onevm', ['show', 'app', '--xml'])).children.find((c) => c.name === 'TEMPLATE')!.children.find((c) => c.name === 'NIC')!;
    assert.equal(childText(nic, 'SECURITY_GROUPS'), '0');
  });
});

/**
 * `onevrouter` against a real oned (dummy drivers): create from a file, list (ID USER GROUP
 * NAME), show (INFORMATION, PERMISSIONS, VIRTUAL ROUTER NICS, TEMPLATE CONTENTS, VIRTUAL
 * MACHINES), instantiate, nic-attach --float and nic-detach, rename, chgrp, lock/unlock, delete;
 * bad input gives one line and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childText } from '../../src/common/xml-tree.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { all, idList, must, okId, okXml, onFeatureBackends } from './api-helpers.js';

onFeatureBackends('onevrouter', (oned) => {
  test('create, list, show, instantiate, nic-attach/detach, rename, chgrp, lock, delete; errors', async () => {
    const o = oned();
    const pub = await okId(o, 'one.vn.allocate', ['NAME = "cli-pub"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.7.0.1", SIZE = "20" ]', -1]);
    await okId(o, 'one.template.allocate', ['NAME = "cli-vr-tmpl"\nCPU = 1\nMEMORY = 64\nVROUTER = "YES"\nCONTEXT = [ NETWORK = "YES" ]']);
    const dir = mkdtempSync(join(tmpdir(), 'nebula-cli-vr-'));
    const file = join(dir, 'vr.tmpl');
    writeFileSync(file, `NAME = "cli-edge"\nNIC = [ NETWORK = "cli-pub", FLOATING_IP = "YES" ]\nNIC = [ NETWORK_ID = ${pub}, VROUTER_MANAGEMENT = "YES" ]\n`);

    const created = await cliOk(o, 'onevrouter', ['create', file]);
    const id = Number(/^ID: (\d+)$/m.exec(created)?.[1]);
    assert.ok(id >= 0, created);

    const list = rows(await cliOk(o, 'onevrouter', ['list']));
    assert.deepEqual(list[0], ['ID', 'USER', 'GROUP', 'NAME']);
    assert.deepEqual(list[1], [String(id), 'oneadmin', 'oneadmin', 'cli-edge']);

    const shown = await cliOk(o, 'onevrouter', ['show', 'cli-edge']);
    assert.match(shown, new RegExp(`VIRTUAL ROUTER ${id} INFORMATION`));
    assert.match(shown, /PERMISSIONS\n/);
    assert.match(shown, /VIRTUAL ROUTER NICS\n\s*ID\s+NETWORK\s+MANAGEMENT\s+IP\n\s*0\s+cli-pub\s+NO\s+10\.7\.0\.1\n\s*1\s+cli-pub\s+YES\s+-/);
    assert.match(shown, /TEMPLATE CONTENTS\n/);
    assert.doesNotMatch(shown.split('TEMPLATE CONTENTS')[1]!, /NIC=/, 'the NICs are in their own table');
    assert.match(shown, /VIRTUAL MACHINES/);

    const inst = await cliOk(o, 'onevrouter', ['instantiate', 'cli-edge', 'cli-vr-tmpl', '-m', '2', '--name', 'edge-%i', '--hold']);
    assert.match(inst, new RegExp(`^ID: ${id}$`, 'm'));
    const r = await okXml(o, 'one.vrouter.info', [id]);
    const vms = idList(r, 'VMS');
    assert.equal(vms.length, 2);
    assert.equal(childText(await okXml(o, 'one.vm.info', [vms[1]!]), 'NAME'), 'edge-1');
    assert.match(await cliOk(o, 'onevrouter', ['show', String(id)]), new RegExp(`VIRTUAL MACHINES\\s*\\n${vms[0]}\\n${vms[1]}`));

    // The VMs are on HOLD: a NIC change that cannot reach them is refused, nothing changed.
    const held = await cli(o, 'onevrouter', ['nic-attach', 'cli-edge', '--network', 'cli-pub', '--float']);
    assert.equal(held.code, 255, held.stderr);
    assert.match(held.stderr, /is not RUNNING or POWEROFF/);
    assert.equal(all(must(await okXml(o, 'one.vrouter.info', [id]), 'TEMPLATE'), 'NIC').length, 2);
    for (const vm of vms) await okId(o, 'one.vm.action', ['terminate-hard', vm]);
    assert.deepEqual(idList(await okXml(o, 'one.vrouter.info', [id]), 'VMS'), [], 'terminated VMs leave the router');

    await cliOk(o, 'onevrouter', ['nic-attach', 'cli-edge', '--network', 'cli-pub', '--ip', '10.7.0.9', '--float']);
    assert.match(await cliOk(o, 'onevrouter', ['show', 'cli-edge']), /\n\s*2\s+cli-pub\s+NO\s+10\.7\.0\.9/);
    await cliOk(o, 'onevrouter', ['nic-detach', 'cli-edge', '2']);
    assert.doesNotMatch(await cliOk(o, 'onevrouter', ['show', 'cli-edge']), /10\.7\.0\.9/);

    await cliOk(o, 'onevrouter', ['rename', 'cli-edge', 'cli-edge2']);
    await cliOk(o, 'onevrouter', ['chgrp', 'cli-edge2', 'users']);
    await cliOk(o, 'onevrouter', ['lock', 'cli-edge2']);
    assert.match(await cliOk(o, 'onevrouter', ['show', 'cli-edge2']), /LOCK\s*:\s*Yes/);
    await cliOk(o, 'onevrouter', ['unlock', 'cli-edge2']);
    const after = await okXml(o, 'one.vrouter.info', [id]);
    assert.equal(childText(after, 'GNAME'), 'users');

    const bad = await cli(o, 'onevrouter', ['nic-detach', 'cli-edge2', '7']);
    assert.equal(bad.code, 255);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /NIC with NIC_ID 7 does not exist/);
    const missing = await cli(o, 'onevrouter', ['show', 'nope']);
    assert.equal(missing.code, 255);

    await cliOk(o, 'onevrouter', ['delete', 'cli-edge2']);
    assert.equal(rows(await cliOk(o, 'onevrouter', ['list'])).length, 1);
  });
});

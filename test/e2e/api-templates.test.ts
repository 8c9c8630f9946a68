/** VM templates: `one.template.*` and `one.templatepool.info` (instantiation comes with VMs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { Code, addUser, idsIn, okId, okXml, onFeatureBackends, permissionsOf, refused, templateOf } from './api-helpers.js';

onFeatureBackends('VM templates', (get) => {
  test('allocate, info, update, rename, clone and delete', async () => {
    const oned = get();
    const before = Math.floor(Date.now() / 1000);
    const id = await okId(oned, 'one.template.allocate', ['NAME = "web"\nCPU = 1\nMEMORY = 512\nDISK = [ IMAGE = "base" ]']);
    let t = await okXml(oned, 'one.template.info', [id]);
    assert.equal(t.name, 'VMTEMPLATE');
    assert.equal(childText(t, 'NAME'), 'web');
    assert.equal(childText(t, 'UNAME'), 'oneadmin');
    assert.ok(Number(childText(t, 'REGTIME')) >= before);
    assert.deepEqual(templateOf(t), { CPU: '1', DISK: '{"IMAGE":"base"}', MEMORY: '512' });

    await okId(oned, 'one.template.update', [id, 'VCPU = 2', 1]);
    await okId(oned, 'one.template.rename', [id, 'web-2']);
    t = await okXml(oned, 'one.template.info', [id]);
    assert.equal(childText(t, 'NAME'), 'web-2');
    assert.equal(templateOf(t).VCPU, '2');
    assert.equal(templateOf(t).CPU, '1');

    const copy = await okId(oned, 'one.template.clone', [id, 'web-copy']);
    assert.deepEqual(templateOf(await okXml(oned, 'one.template.info', [copy])), templateOf(t));
    // OpenNebula 7.4 refuses a name the owner already uses with INTERNAL and the bare reason.
    await refused(oned, 'one.template.clone', [id, 'web-copy'], Code.INTERNAL, /^\[one\.template\.clone\] NAME is already taken by TEMPLATE \d+\.$/);
    await refused(oned, 'one.template.allocate', ['NAME = "web-copy"'], Code.INTERNAL, new RegExp(`^\\[one\\.template\\.allocate\\] NAME is already taken by TEMPLATE ${copy}\\.$`));
    // A recursive clone clones the DISK images: this template names one that does not exist.
    await refused(oned, 'one.template.clone', [id, 'deep', true], Code.ACTION, /DISK: image "base" of user 0 does not exist/);

    await okId(oned, 'one.template.delete', [copy]);
    await refused(oned, 'one.template.info', [copy], Code.NO_EXISTS, /Error getting virtual machine template \[/);
    const pool = await okXml(oned, 'one.templatepool.info', [-2, -1, -1]);
    assert.ok(idsIn(pool, 'VMTEMPLATE').includes(id));
    assert.ok(!idsIn(pool, 'VMTEMPLATE').includes(copy));
  });

  test('bad templates are refused with ALLOCATE and the reason', async () => {
    const oned = get();
    await refused(oned, 'one.template.allocate', ['CPU = 1'], Code.ALLOCATE, /No NAME in template for VM template/);
    await refused(oned, 'one.template.allocate', ['NAME = "x"\nCPU = ['], Code.ALLOCATE, /line 2/);
    await refused(oned, 'one.template.allocate', ['NAME = "a#b"'], Code.ALLOCATE, /char '#' is not allowed/);
  });

  test('users own their templates: permissions, sharing with the group, chown', async () => {
    const oned = get();
    const alice = await addUser(oned, 'tpl-alice');
    const bob = await addUser(oned, 'tpl-bob');
    const id = await okId(oned, 'one.template.allocate', ['NAME = "mine"\nCPU = 1'], alice.session);
    const t = await okXml(oned, 'one.template.info', [id], alice.session);
    assert.equal(childText(t, 'UID'), String(alice.id));
    assert.equal(permissionsOf(t), '110000000');
    await refused(oned, 'one.template.info', [id], Code.AUTHORIZATION, /Not authorized to perform USE TEMPLATE/, bob.session);
    assert.ok(!idsIn(await okXml(oned, 'one.templatepool.info', [-2, -1, -1], bob.session), 'VMTEMPLATE').includes(id));

    await okId(oned, 'one.template.chmod', [id, -1, -1, -1, 1, -1, -1, -1, -1, -1], alice.session);
    assert.equal(childText(await okXml(oned, 'one.template.info', [id], bob.session), 'NAME'), 'mine');
    assert.ok(idsIn(await okXml(oned, 'one.templatepool.info', [-1, -1, -1], bob.session), 'VMTEMPLATE').includes(id));
    await refused(oned, 'one.template.update', [id, 'CPU = 4', 0], Code.AUTHORIZATION, /MANAGE TEMPLATE/, bob.session);

    await okId(oned, 'one.template.chown', [id, bob.id, -1]);
    assert.equal(childText(await okXml(oned, 'one.template.info', [id], bob.session), 'UNAME'), 'tpl-bob');
    assert.ok(idsIn(await okXml(oned, 'one.templatepool.info', [-3, -1, -1], bob.session), 'VMTEMPLATE').includes(id));
  });

  test('a locked template refuses changes until unlocked', async () => {
    const oned = get();
    const id = await okId(oned, 'one.template.allocate', ['NAME = "locked"']);
    await okId(oned, 'one.template.lock', [id, 2]);
    await refused(oned, 'one.template.rename', [id, 'other'], Code.AUTHORIZATION, /TEMPLATE is locked/);
    // As OpenNebula 7.4 answers it: AUTHORIZATION, its message, and no object id.
    const r = await oned.call('one.template.update', [id, 'A = "1"', 1]);
    assert.deepEqual(r.slice(0, 4), [false, `[one.template.update] User [0] : TEMPLATE is locked. [${id}].`, Code.AUTHORIZATION, -1]);
    assert.equal(childText(await okXml(oned, 'one.template.info', [id]), 'NAME'), 'locked');
    await okId(oned, 'one.template.unlock', [id]);
    await okId(oned, 'one.template.rename', [id, 'unlocked']);
  });
});

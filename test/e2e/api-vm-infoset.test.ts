/**
 * `one.vmpool.infoset(ids, extended)`: the VMs of a list of ids, as the caller may see them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, addUser, idsIn, must, okId, okXml, onEveryBackend, refused } from './api-helpers.js';

onEveryBackend('one.vmpool.infoset', (oned) => {
  test('the listed VMs the caller may see, short or whole; unknown ids left out; a bad list refused', async () => {
    const o = oned();
    const mine = [];
    for (const n of ['a', 'b', 'c']) mine.push(await okId(o, 'one.vm.allocate', [`NAME = "set-${n}"\nCPU = 1\nMEMORY = 32\nCOLOR = "blue"`, true]));
    const user = await addUser(o, 'setuser');
    const theirs = await okId(o, 'one.vm.allocate', ['NAME = "set-user"\nCPU = 1\nMEMORY = 32', true], user.session);

    const some = await okXml(o, 'one.vmpool.infoset', [`${mine[2]},${mine[0]},99999`, false]);
    assert.equal(some.name, 'VM_POOL');
    assert.deepEqual(idsIn(some, 'VM'), [mine[0], mine[2]].sort((x, y) => x! - y!), 'the listed ones that exist');
    // The short form of listings: no USER_TEMPLATE attributes; the whole body with extended.
    assert.doesNotMatch(JSON.stringify(some), /blue/);
    const whole = await okXml(o, 'one.vmpool.infoset', [String(mine[1]), true]);
    assert.equal(must(must(must(whole, 'VM'), 'USER_TEMPLATE'), 'COLOR').text, 'blue');
    // A plain user sees only hers, whatever she lists.
    const hers = await okXml(o, 'one.vmpool.infoset', [`${mine.join(',')},${theirs}`, false], user.session);
    assert.deepEqual(idsIn(hers, 'VM'), [theirs]);
    assert.deepEqual(idsIn(await okXml(o, 'one.vmpool.infoset', ['424242']), 'VM'), []);
    await refused(o, 'one.vmpool.infoset', ['1,two', false], Code.XML_RPC_API, /"two" is not a VM id/);
    await refused(o, 'one.vmpool.infoset', ['', false], Code.XML_RPC_API, /is not a VM id/);
  });
});

/** `%cid` ACL rules reach datastores through the generic object methods too. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { Code, addUserOutsideVdc, okId, okXml, onFeatureBackends, refused } from './api-helpers.js';

onFeatureBackends('datastore cluster ACLs', (get) => {
  test('a DATASTORE/%cid rule lets a user see and rename the datastores of that cluster only', async () => {
    const oned = get();
    // Not in "users": its default VDC rule would let it use every datastore.
    const user = await addUserOutsideVdc(oned, 'ds-acl-user');
    const cid = await okId(oned, 'one.cluster.allocate', ['ds-acl-cluster']);
    const inside = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-acl-in"\nDS_MAD = "fs"\nTM_MAD = "ssh"', cid]);
    const outside = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-acl-out"\nDS_MAD = "fs"\nTM_MAD = "ssh"', -1]);
    await refused(oned, 'one.datastore.info', [inside], Code.AUTHORIZATION, /USE DATASTORE/, user.session);

    await oned.ok('one.acl.addrule', [`0x1${user.id.toString(16).padStart(8, '0')}`, (0x100000000000n | 0x800000000n | BigInt(cid)).toString(16), '3']);
    assert.equal(childText(await okXml(oned, 'one.datastore.info', [inside], user.session), 'NAME'), 'ds-acl-in');
    await okId(oned, 'one.datastore.rename', [inside, 'ds-acl-renamed'], user.session);
    await refused(oned, 'one.datastore.info', [outside], Code.AUTHORIZATION, /USE DATASTORE/, user.session);
  });
});

/**
 * Bad input: malformed bodies, unknown methods, wrong arguments, oversized requests, bad
 * templates, names and passwords, wrong credentials. After each, nothing is half-written and oned
 * still serves other clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { XmlRpcClient } from '../../src/rpc/xmlrpc/index.js';
import {
  AUTH_FAILED,
  Code,
  Fault,
  addUser,
  assertServing,
  documentIds,
  faultIn,
  faultOf,
  groupNames,
  methodCallXml,
  okId,
  okXml,
  onFeatureBackends,
  rawRequest,
  refused,
  templateOf,
  userNames,
} from './api-helpers.js';

/** The limit this suite's oned runs with. */
const MESSAGE_SIZE = 4096;

onFeatureBackends(
  'bad input',
  (get) => {
    test('a malformed or non-XML-RPC body gets fault -503 naming the position, and oned keeps serving', async () => {
      const oned = get();
      const bodies = [
        methodCallXml('one.user.allocate', [oned.oneadmin, 'bad-body', 'pw']).replace('</params></methodCall>', '</params>'),
        '<?xml version="1.0"?><notACall/>',
        'user.allocate, please',
        '<methodCall><methodName>one.user.allocate</methodName><params><param><value><int>x</int></value></param></params></methodCall>',
      ];
      for (const body of bodies) {
        const res = await rawRequest(oned, body);
        assert.equal(res.status, 200, 'faults travel in a 200 response');
        const fault = faultIn(res.body);
        assert.equal(fault.code, Fault.PARSE, `${body} → ${fault.message}`);
        assert.match(fault.message, /XML-RPC parse error at line \d+, column \d+/);
      }
      assert.ok(!(await userNames(oned)).includes('bad-body'));
      await assertServing(oned);
    });

    test('a body that is not UTF-8 gets fault -510', async () => {
      const oned = get();
      const body = Buffer.concat([Buffer.from(methodCallXml('one.group.allocate', [oned.oneadmin, 'bad-utf8-'])), Buffer.from([0xff, 0xfe])]);
      const fault = faultIn((await rawRequest(oned, body)).body);
      assert.equal(fault.code, Fault.INVALID_UTF8);
      assert.match(fault.message, /UTF-8/);
      assert.ok(!(await groupNames(oned)).some((n) => n.startsWith('bad-utf8')));
      await assertServing(oned);
    });

    test('an unknown method gets fault -506', async () => {
      const oned = get();
      const fault = await faultOf(oned.call('one.user.frobnicate', [1]));
      assert.equal(fault.code, Fault.NO_SUCH_METHOD);
      assert.match(fault.message, /one\.user\.frobnicate/);
      await assertServing(oned);
    });

    test('missing parameters get fault -502 with the signature, and the call does nothing', async () => {
      const oned = get();
      const u = await addUser(oned, 'bad-count');
      const fault = await faultOf(oned.call('one.user.passwd', [u.id]));
      assert.equal(fault.code, Fault.INDEX);
      assert.match(fault.message, /one\.user\.passwd takes \(string session, int, string\)/);
      await oned.ok('one.user.info', [-1], u.session);

      const noName = await faultOf(oned.call('one.group.allocate', []));
      assert.equal(noName.code, Fault.INDEX);
      await assertServing(oned);
    });

    test('a parameter of the wrong type gets fault -501 naming it, and the call does nothing', async () => {
      const oned = get();
      const byString = await faultOf(oned.call('one.user.info', ['0']));
      assert.equal(byString.code, Fault.TYPE);
      assert.match(byString.message, /Parameter 2 of one\.user\.info must be an integer, got string "0"/);

      const byName = await faultOf(oned.call('one.user.allocate', [42, 'pw', '']));
      assert.equal(byName.code, Fault.TYPE);
      assert.match(byName.message, /Parameter 2 of one\.user\.allocate must be a string/);
      assert.ok(!(await userNames(oned)).includes('42'));

      const groups = await faultOf(oned.call('one.user.allocate', ['bad-type-groups', 'pw', '', 'not-an-array']));
      assert.equal(groups.code, Fault.TYPE);
      assert.match(groups.message, /must be an array/);
      assert.ok(!(await userNames(oned)).includes('bad-type-groups'));

      const client = new XmlRpcClient(oned.endpoint);
      try {
        const session = await faultOf(client.call('one.system.version', [12]));
        assert.equal(session.code, Fault.TYPE);
        assert.match(session.message, /session/);
      } finally {
        client.close();
      }
      await assertServing(oned);
    });

    test(`a body over MESSAGE_SIZE (${MESSAGE_SIZE}) gets fault -509, is not run, and oned keeps serving`, async () => {
      const oned = get();
      const body = methodCallXml('one.user.allocate', [oned.oneadmin, 'bad-big', 'p'.repeat(MESSAGE_SIZE)]);
      assert.ok(Buffer.byteLength(body) > MESSAGE_SIZE);
      const res = await rawRequest(oned, body);
      const fault = faultIn(res.body);
      assert.equal(fault.code, Fault.LIMIT_EXCEEDED);
      assert.match(fault.message, new RegExp(`maximum message size of ${MESSAGE_SIZE} bytes`));
      assert.equal(res.headers.connection, 'close');
      assert.ok(!(await userNames(oned)).includes('bad-big'));

      // The same call under the limit goes through.
      await okId(oned, 'one.user.allocate', ['bad-big', 'small-pw', '']);
      await assertServing(oned);
    });

    test('a template syntax error names line and column, and the template stays as it was', async () => {
      const oned = get();
      const u = await addUser(oned, 'bad-tmpl');
      await okId(oned, 'one.user.update', [u.id, 'KEEP = "me"', 0]);
      await refused(oned, 'one.user.update', [u.id, 'GOOD = "1"\nBAD = [ X = "1"', 0], Code.ACTION, /Parse error: .*line 2, column \d+/);
      await refused(oned, 'one.user.update', [u.id, 'GOOD = "1"\n  = "3"', 1], Code.ACTION, /Parse error: .*line 2, column 3/);
      await refused(oned, 'one.user.update', [u.id, 'Q = "unterminated\n', 1], Code.ACTION, /Parse error: .*line 1, column \d+/);
      await refused(oned, 'one.user.update', [u.id, '<TEMPLATE><X>1</X>', 0], Code.ACTION, /Parse error: .*line 1, column \d+/);
      assert.deepEqual(templateOf(await okXml(oned, 'one.user.info', [u.id])), { KEEP: 'me' });

      const gid = await okId(oned, 'one.group.allocate', ['bad-tmpl-group']);
      await refused(oned, 'one.group.update', [gid, 'A = [', 0], Code.ACTION, /Parse error: .*line 1, column \d+/);
      assert.deepEqual(templateOf(await okXml(oned, 'one.group.info', [gid])), {});

      const docsBefore = await documentIds(oned, oned.oneadmin, -2);
      await refused(oned, 'one.document.allocate', ['NAME = "bad-doc"\nX = [ Y = ', 1], Code.ALLOCATE, /Parse error: .*line 2, column \d+/);
      assert.deepEqual(await documentIds(oned, oned.oneadmin, -2), docsBefore);
      await assertServing(oned);
    });

    test('user names: 128 characters are fine; 129, ":" and blanks are refused and nothing is created', async () => {
      const oned = get();
      const before = await userNames(oned);
      // OpenNebula 7.4 refuses what its user pool refuses with INTERNAL and the bare reason.
      const bad = (name: string, why: RegExp) => refused(oned, 'one.user.allocate', [name, 'pw', ''], Code.INTERNAL, new RegExp(`^\\[one\\.user\\.allocate\\] ${why.source}`));
      await bad('u'.repeat(129), /Invalid NAME, max length is 128 chars/);
      await bad('with:colon', /Invalid NAME, char ':' is not allowed/);
      await bad('with space', /Invalid NAME, char ' ' is not allowed/);
      await bad('with\ttab', /Invalid NAME, char '\t' is not allowed/);
      await bad('', /Invalid NAME, it cannot be empty/);
      assert.deepEqual(await userNames(oned), before);

      const long = 'u'.repeat(128);
      const id = await okId(oned, 'one.user.allocate', [long, 'pw', '']);
      assert.equal(childText(await okXml(oned, 'one.user.info', [id]), 'NAME'), long);
      await oned.ok('one.user.info', [-1], `${long}:pw`);
      await assertServing(oned);
    });

    test('group names: 129 characters, "#" and empty are refused and nothing is created', async () => {
      const oned = get();
      const before = await groupNames(oned);
      const bad = (name: string, why: RegExp) => refused(oned, 'one.group.allocate', [name], Code.INTERNAL, new RegExp(`^\\[one\\.group\\.allocate\\] ${why.source}`));
      await bad('g'.repeat(129), /Invalid NAME, max length is 128 chars/);
      await bad('team#1', /Invalid NAME, char '#' is not allowed/);
      await bad('', /Invalid NAME, it cannot be empty/);
      assert.deepEqual(await groupNames(oned), before);
      const long = 'g'.repeat(128);
      const id = await okId(oned, 'one.group.allocate', [long]);
      assert.equal(childText(await okXml(oned, 'one.group.info', [id]), 'NAME'), long);
    });

    test('empty or blank passwords are refused on allocate and passwd; the old password keeps working', async () => {
      const oned = get();
      const before = await userNames(oned);
      await refused(oned, 'one.user.allocate', ['bad-pw-1', '', ''], Code.INTERNAL, /Invalid password, it cannot be empty/);
      await refused(oned, 'one.user.allocate', ['bad-pw-2', 'two words', ''], Code.INTERNAL, /Invalid password, character " " is not allowed/);
      assert.deepEqual(await userNames(oned), before);

      const u = await addUser(oned, 'bad-pw-3');
      const hash = childText(await okXml(oned, 'one.user.info', [u.id]), 'PASSWORD');
      await refused(oned, 'one.user.passwd', [u.id, ''], Code.ACTION, /Invalid password, it cannot be empty/);
      await refused(oned, 'one.user.passwd', [u.id, 'new\nline'], Code.ACTION, /Invalid password/);
      assert.equal(childText(await okXml(oned, 'one.user.info', [u.id]), 'PASSWORD'), hash);
      await oned.ok('one.user.info', [-1], u.session);
    });

    test('wrong passwords, unknown users and malformed sessions get 256', async () => {
      const oned = get();
      const u = await addUser(oned, 'bad-login');
      for (const session of [`${u.name}:wrong`, `${u.name}:`, u.name, ':anything', 'nobody:pw', `${u.name.toUpperCase()}:${u.password}`, '']) {
        await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, session);
      }
      // Nothing is done for an unauthenticated call.
      await refused(oned, 'one.group.allocate', ['bad-login-group'], Code.AUTHENTICATION, AUTH_FAILED, 'oneadmin:wrong');
      assert.ok(!(await groupNames(oned)).includes('bad-login-group'));
      // The secret is everything after the first colon.
      await okId(oned, 'one.user.passwd', [u.id, 'a:b:c']);
      await oned.ok('one.user.info', [-1], `${u.name}:a:b:c`);
      await assertServing(oned);
    });

    test('only POST to /RPC2 is served', async () => {
      const oned = get();
      const get405 = await rawRequest(oned, '', { method: 'GET' });
      assert.equal(get405.status, 405);
      assert.equal(get405.headers.allow, 'POST');
      const elsewhere = await rawRequest(oned, methodCallXml('one.system.version', [oned.oneadmin]), { path: '/other' });
      assert.equal(elsewhere.status, 404);
      await assertServing(oned);
    });
  },
  `MESSAGE_SIZE = ${MESSAGE_SIZE}`,
);

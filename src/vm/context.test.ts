import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { VirtualMachine } from './virtual-machine.js';
import { contextFile, resolveVariables } from './context.js';

const vm = VirtualMachine.create(
  12,
  'db',
  { uid: 3, gid: 100, uname: 'bob', gname: 'ops' },
  Permissions.fromOctal(0o600),
  Template.parse('CPU = 1\nMEMORY = 64\nNIC = [ NIC_ID = 0, IP = "10.0.0.1", NETWORK = "private" ]\nNIC = [ NIC_ID = 1, IP = "192.0.2.9", NETWORK = "public" ]\nCONTEXT = [ HOSTNAME = "$NAME-$VMID", IP = "$NIC[IP, NETWORK=\\"public\\"]", DISK_ID = 0 ]'),
  Template.parse('ROLE = "primary"'),
  false,
  0,
);

test('VM variables, template and user template attributes, vector keys and selectors', () => {
  assert.equal(resolveVariables('$NAME $VMID $UID $UNAME $GID $GNAME', vm), 'db 12 3 bob 100 ops');
  assert.equal(resolveVariables('mem=$MEMORY role=$ROLE', vm), 'mem=64 role=primary');
  assert.equal(resolveVariables('$NIC[IP]', vm), '10.0.0.1');
  assert.equal(resolveVariables('$NIC[IP, NETWORK="public"]', vm), '192.0.2.9');
  assert.equal(resolveVariables('[$MISSING][$NIC[NOPE]]', vm), '[][]');
  assert.equal(resolveVariables('cost \\$5', vm), 'cost $5');
  assert.equal(Buffer.from(resolveVariables('$TEMPLATE', vm), 'base64').toString(), vm.toXml());
});

test('$USER[KEY]: the owner\'s template attribute, empty without one', () => {
  const user = Template.parse('SSH_PUBLIC_KEY = "ssh-ed25519 AAAA bob@laptop"');
  assert.equal(resolveVariables('$USER[SSH_PUBLIC_KEY]', vm, user), 'ssh-ed25519 AAAA bob@laptop');
  assert.equal(resolveVariables('[$USER[NOPE]][$USER[SSH_PUBLIC_KEY]]', vm), '[][]');
  const keyed = VirtualMachine.create(3, 'k', vm.owner, vm.perms, Template.parse('CONTEXT = [ SSH_PUBLIC_KEY = "$USER[SSH_PUBLIC_KEY]" ]'), new Template(), false, 0);
  assert.match(contextFile(keyed, user)!, /^SSH_PUBLIC_KEY='ssh-ed25519 AAAA bob@laptop'$/m);
});

test('the context file: one KEY=\'value\' per CONTEXT key, variables expanded, quotes escaped, DISK_ID left out', () => {
  const text = contextFile(vm)!;
  assert.match(text, /^HOSTNAME='db-12'$/m);
  assert.match(text, /^IP='192.0.2.9'$/m);
  assert.doesNotMatch(text, /DISK_ID/);
  const quoted = VirtualMachine.create(1, "o'neil", vm.owner, vm.perms, Template.parse('CONTEXT = [ N = "$NAME" ]'), new Template(), false, 0);
  assert.match(contextFile(quoted)!, /^N='o'\\''neil'$/m);
  assert.equal(contextFile(VirtualMachine.create(2, 'x', vm.owner, vm.perms, new Template(), new Template(), false, 0)), null);
});

test('the context file has encrypted CONTEXT values in clear through reveal', () => {
  const secret = VirtualMachine.create(3, 'x', vm.owner, vm.perms, Template.parse('CONTEXT = [ PASSWORD = "ENC", USER = "root" ]'), new Template(), false, 0);
  const text = contextFile(secret, undefined, (key, value) => (key === 'PASSWORD' && value === 'ENC' ? "pa'ss" : value))!;
  assert.match(text, /^PASSWORD='pa'\\''ss'$/m);
  assert.match(text, /^USER='root'$/m);
});

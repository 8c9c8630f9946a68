import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { VirtualMachine } from './virtual-machine.js';
import { contextFiles, DEFAULT_CONTEXT_DIRS, dirList } from './context-files.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'ctx-files-')));
const secret = join(root, 'secret');
const pub = join(root, 'public');
mkdirSync(join(secret, 'shared'), { recursive: true });
mkdirSync(pub);
writeFileSync(join(secret, 'key'), 'k');
writeFileSync(join(secret, 'shared', 'motd'), 'm');
writeFileSync(join(pub, 'init.sh'), 'echo hi');
symlinkSync(join(secret, 'key'), join(pub, 'innocent'));
const DIRS = { restricted: [secret], safe: [join(secret, 'shared')] };

function vm(files: string): VirtualMachine {
  const owner = { uid: 3, gid: 100, uname: 'bob', gname: 'ops' };
  return VirtualMachine.create(4, 'web', owner, Permissions.fromOctal(0o600), Template.parse(`CONTEXT = [ FILES = "${files}" ]`), new Template(), false, 0);
}

test('FILES: blank-separated real paths, each once; a safe directory inside a restricted one is allowed', () => {
  assert.deepEqual(contextFiles(vm(`${pub}/init.sh  ${pub}/../public/init.sh\n${secret}/shared/motd`), DIRS), [join(pub, 'init.sh'), join(secret, 'shared', 'motd')]);
  assert.deepEqual(contextFiles(vm(''), DIRS), []);
  assert.deepEqual(contextFiles(VirtualMachine.create(5, 'x', vm('').owner, vm('').perms, Template.parse('CONTEXT = [ A = 1 ]'), new Template(), false, 0), DIRS), []);
});

test('FILES: restricted files are refused, also through a link or ..; relative and missing paths too', () => {
  assert.throws(() => contextFiles(vm(`${secret}/key`), DIRS), { message: `CONTEXT/FILES cannot use ${secret}/key, it's in restricted directories` });
  assert.throws(() => contextFiles(vm(`${pub}/innocent`), DIRS), /innocent, it's in restricted directories/);
  assert.throws(() => contextFiles(vm(`${pub}/../secret/key`), DIRS), /restricted directories/);
  assert.throws(() => contextFiles(vm('init.sh'), DIRS), { message: 'CONTEXT/FILES cannot use init.sh: not an absolute path' });
  assert.throws(() => contextFiles(vm(`${pub}/nope`), DIRS), /nope: it does not exist on the front-end/);
  assert.throws(() => contextFiles(vm('/etc/hostname'), DEFAULT_CONTEXT_DIRS), /it's in restricted directories/, 'OpenNebula restricts /etc by default');
});

test('oned.conf directory lists', () => {
  assert.deepEqual(dirList(' /etc  /root\n/var/lib/one '), ['/etc', '/root', '/var/lib/one']);
  assert.deepEqual(dirList(''), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { Permissions } from '../pool/index.js';
import { VmGroup, rolesFrom } from './vm-group.js';

function group(text: string): VmGroup {
  const t = Template.parse(text);
  const g = new VmGroup(4, 'g', { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600), t);
  rolesFrom(g, t);
  g.checkConsistency();
  return g;
}

test('roles are numbered, their VMs kept sorted and unique, and the XML reads back the same', () => {
  const g = group('ROLE = [ NAME = "db", POLICY = "affined" ]\nROLE = [ NAME = "web", VMS = "9" ]\nAFFINED = "db, web"');
  assert.deepEqual(g.roles.map((r) => [r.get('ID'), r.get('NAME'), r.get('POLICY'), r.get('VMS')]), [['0', 'db', 'AFFINED', undefined], ['1', 'web', undefined, undefined]]);
  assert.equal(g.addVm('web', 7), true);
  g.addVm('web', 3);
  g.addVm('web', 7);
  assert.equal(g.addVm('nope', 1), false);
  assert.equal(g.role(1)!.get('VMS'), '3,7');
  assert.equal(g.vmCount, 2);
  g.deleteVm('web', 3);
  g.deleteVm('web', 7);
  assert.equal(g.role(1)!.has('VMS'), false);
  const back = VmGroup.fromXml(parseXmlTree(g.toXml()));
  assert.equal(back.toXml(), g.toXml());
  assert.match(g.toXml(), /<ROLES><ROLE><ID>0<\/ID><NAME>db<\/NAME><POLICY>AFFINED<\/POLICY><\/ROLE>/);
});

test('the checks OpenNebula makes, and the ones on hosts', () => {
  const bad: [string, RegExp][] = [
    ['ROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nAFFINED = "a,b"\nANTI_AFFINED = "a, b"', /Roles defined in AFFINED and ANTI_AFFINED rules: a b/],
    ['ROLE = [ NAME = "a", POLICY = "ANTI_AFFINED" ]\nROLE = [ NAME = "b" ]\nAFFINED = "a, b"', /Role a is in an AFFINED rule/],
    ['ROLE = [ NAME = "a" ]\nANTI_AFFINED = "a, c"', /Some roles used in ANTI_AFFINED attribute \(a, c\) are not defined/],
    ['ROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]\nAFFINED = "a, b"\nAFFINED = "b, a"', /Duplicated AFFINED rule/],
    ['ROLE = [ NAME = "a", HOST_AFFINED = "1, 2", HOST_ANTI_AFFINED = "2,3" ]', /host 2 is both in HOST_AFFINED and HOST_ANTI_AFFINED/],
    ['ROLE = [ NAME = "a,b" ]', /cannot hold a comma/],
    ['ROLE = "a"', /ROLE must be a vector/],
  ];
  for (const [text, msg] of bad) assert.throws(() => group(text), msg);
  const g = group('ROLE = [ NAME = "a" ]\nROLE = [ NAME = "b" ]');
  g.addVm('a', 1);
  assert.throws(() => g.deleteRole(0), /the role has assigned VMs/);
  assert.throws(() => g.updateRole(0, new Map([['POLICY', 'NONE']])), /has VMs, unable to update/);
  assert.throws(() => g.updateRole(1, new Map([['NAME', 'a']])), /a role named a already exists/);
  g.updateRole(1, new Map([['NAME', 'c'], ['VMS', '5'], ['ID', '9']]));
  assert.deepEqual([g.role(1)!.get('NAME'), g.role(1)!.get('VMS')], ['c', undefined]);
  g.deleteRole(1);
  assert.equal(g.addRole(new Map([['NAME', 'd']])).get('ID'), '1');
});

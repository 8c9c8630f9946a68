import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectType } from '../object-type.js';
import { AclError } from './acl-error.js';
import { AclRight, AclRule, AclSelector } from './acl-rule.js';

function rule(user: bigint, resource: bigint, rights: bigint, zone: bigint = AclSelector.INDIVIDUAL): AclRule {
  return new AclRule(-1, user, resource, rights, zone);
}

function throwsAcl(fn: () => unknown, kind: AclError['kind'], message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AclError);
    assert.equal(e.kind, kind);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('AclRule encoding (spec §3.12)', () => {
  it('encodes the documented examples', () => {
    const r = AclRule.parse('@1 VM+IMAGE/* USE+MANAGE #0');
    assert.equal(r.user, 0x200000001n);
    assert.equal(r.resource, 0x9400000000n);
    assert.equal(r.rights, 0x3n);
    assert.equal(r.zone, 0x100000000n);
  });

  it('encodes each id form', () => {
    assert.equal(AclRule.parse('#7 VM/#12 USE').user, 0x100000007n);
    assert.equal(AclRule.parse('* VM/#12 USE').user, 0x400000000n);
    assert.equal(AclRule.parse('#7 VM/#12 USE').resource, ObjectType.VM | 0x10000000cn);
    assert.equal(AclRule.parse('#7 VM/@12 USE').resource, ObjectType.VM | 0x20000000cn);
    assert.equal(AclRule.parse('#7 HOST/%12 USE').resource, ObjectType.HOST | 0x80000000cn);
    assert.equal(AclRule.parse('#7 VM/#12 USE *').zone, 0x400000000n);
    assert.equal(AclRule.parse('#7 VM/#12 USE #104').zone, 0x100000068n);
  });

  it('encodes every right', () => {
    assert.equal(AclRule.parse('* VM/* USE+MANAGE+ADMIN+CREATE').rights, 0xfn);
    assert.equal(AclRule.parse('* VM/* admin').rights, AclRight.ADMIN);
  });

  it('defaults the zone to the local zone', () => {
    assert.equal(AclRule.parse('#1 VM/* USE').zone, AclSelector.INDIVIDUAL);
    assert.equal(AclRule.parse('#1 VM/* USE', 3).zone, AclSelector.INDIVIDUAL | 3n);
    assert.equal(AclRule.fromHex('100000001', '1400000000', '1', undefined, 5).zone, 0x100000005n);
  });
});

describe('AclRule.fromHex', () => {
  it('reads hex with or without 0x, in any case, trimmed', () => {
    const a = AclRule.fromHex('0x200000001', '0X9400000000', '3', '0x100000000');
    const b = AclRule.fromHex('200000001', '9400000000', ' 0x3 ', '100000000');
    assert.ok(a.equals(b));
    assert.equal(a.toString(), '@1 VM+IMAGE/* USE+MANAGE #0');
    assert.equal(AclRule.fromHex('FFFFFFFFFFFFFFFF', '1', '1').user, 0xffffffffffffffffn);
  });

  it('refuses what is not hex, naming each bad argument', () => {
    throwsAcl(() => AclRule.fromHex('xyz', '1400000000', '1'), 'invalid', "[user] 'xyz' is not a hexadecimal number");
    throwsAcl(() => AclRule.fromHex('1', '0x', '', '12g'), 'invalid',
      "[resource] '0x' is not a hexadecimal number; [rights] '' is not a hexadecimal number; [zone] '12g' is not a hexadecimal number");
    throwsAcl(() => AclRule.fromHex('10000000000000000', '1', '1'), 'invalid', /\[user\] '10000000000000000'/);
    throwsAcl(() => AclRule.fromHex('-1', '1', '1'), 'invalid', /\[user\]/);
  });
});

describe('AclRule text', () => {
  const roundTrips = [
    '@1 VM+NET+IMAGE+TEMPLATE/* CREATE #0',
    '#3 HOST/#5 USE+MANAGE #0',
    '* ZONE/* USE *',
    '* MARKETPLACE+MARKETPLACEAPP/* USE *',
    '@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *',
    '#0 VM+HOST+NET+IMAGE+USER+TEMPLATE+GROUP+DATASTORE+CLUSTER+DOCUMENT+ZONE+SECGROUP+VDC+VROUTER+MARKETPLACE+MARKETPLACEAPP+VMGROUP+VNTEMPLATE+BACKUPJOB/* USE+MANAGE+ADMIN+CREATE *',
    '@105 NET+DATASTORE/%100 USE #0',
    '#5 IMAGE+TEMPLATE/@103 USE+MANAGE #2',
    '* USER/#12 MANAGE *',
    '@2 VNTEMPLATE/#2147483647 ADMIN #0',
    '#2147483647 SECGROUP/* USE #7',
  ];
  for (const text of roundTrips) {
    it(`round-trips "${text}"`, () => {
      const r = AclRule.parse(text);
      assert.equal(r.toString(), text);
      // Through the hex form the API uses too.
      const hex = AclRule.fromHex(r.user.toString(16), r.resource.toString(16), r.rights.toString(16), r.zone.toString(16));
      assert.ok(hex.equals(r));
      assert.equal(hex.toString(), text);
    });
  }

  it('prints types in OpenNebula order whatever the input order', () => {
    assert.equal(AclRule.parse('#1 TEMPLATE+vm+IMAGE/* manage+use').toString(), '#1 VM+IMAGE+TEMPLATE/* USE+MANAGE #0');
  });

  it('prints ids as signed 32-bit ints and ?? for a missing selector', () => {
    assert.equal(rule(0x1ffffffffn, ObjectType.VM | AclSelector.ALL, 1n).toString(), '#-1 VM/* USE #0');
    assert.equal(rule(0x5n, ObjectType.VM | 3n, 1n, 7n).toString(), '?? VM/?? USE ??');
  });

  it('does not print the ACL type, as OpenNebula', () => {
    assert.equal(rule(AclSelector.ALL, ObjectType.ACL | ObjectType.VM | AclSelector.ALL, 1n).toString(), '* VM/* USE #0');
  });

  it('accepts extra spaces', () => {
    assert.equal(AclRule.parse('  #3   HOST/#5 USE  ').toString(), '#3 HOST/#5 USE #0');
  });

  it('refuses bad text with the CLI messages', () => {
    const components = 'String needs three components: User, Resource, Rights';
    throwsAcl(() => AclRule.parse(''), 'invalid', components);
    throwsAcl(() => AclRule.parse('#1 VM/*'), 'invalid', components);
    throwsAcl(() => AclRule.parse('#1 VM/* USE #0 extra'), 'invalid', components);
    throwsAcl(() => AclRule.parse('1 VM/* USE'), 'invalid', "ID string '1' malformed");
    throwsAcl(() => AclRule.parse('#1 VM/#x USE'), 'invalid', "ID string '#x' malformed");
    throwsAcl(() => AclRule.parse('#4294967296 VM/* USE'), 'invalid', "ID string '#4294967296' malformed");
    throwsAcl(() => AclRule.parse('#1 VM USE'), 'invalid', "Resource 'VM' malformed");
    throwsAcl(() => AclRule.parse('#1 VM/*/#2 USE'), 'invalid', "Resource 'VM/*/#2' malformed");
    throwsAcl(() => AclRule.parse('#1 VM+FOO/* USE'), 'invalid', "Resource 'FOO' does not exist");
    throwsAcl(() => AclRule.parse('#1 ACL/* USE'), 'invalid', "Resource 'ACL' does not exist");
    throwsAcl(() => AclRule.parse('#1 HOOK/* USE'), 'invalid', "Resource 'HOOK' does not exist");
    throwsAcl(() => AclRule.parse('#1 VM/* USE+DELETE'), 'invalid', "Right 'DELETE' does not exist");
    throwsAcl(() => AclRule.parse('#1 VM/* USE zone'), 'invalid', "ID string 'zone' malformed");
    throwsAcl(() => AclRule.parse('x VM/* NOPE'), 'invalid', "ID string 'x' malformed, Right 'NOPE' does not exist");
  });
});

describe('AclRule validation', () => {
  const valid = [
    '@1 VM+NET+IMAGE+TEMPLATE/* CREATE #0',
    '#3 HOST/#5 USE+MANAGE',
    '* ZONE/* USE *',
    '@1 HOST+NET+DATASTORE/%100 USE #0',
    '* USER+GROUP+ZONE+VDC/#4 MANAGE *',
    '@4 BACKUPJOB/@4 ADMIN',
  ];
  for (const text of valid) {
    it(`accepts "${text}"`, () => {
      const r = AclRule.parse(text);
      assert.deepEqual(r.problems(), []);
      r.assertValid();
    });
  }

  /** Each case: the rule and the exact problems OpenNebula reports for it. */
  const cases: [string, AclRule, string[]][] = [
    ['# and @ user', rule(0x300000001n, ObjectType.VM | AclSelector.ALL, 1n),
      ['[user] INDIVIDUAL (#) and GROUP (@) bits are exclusive']],
    ['# and * user', rule(0x500000000n, ObjectType.VM | AclSelector.ALL, 1n),
      ['[user] INDIVIDUAL (#) and ALL (*) bits are exclusive']],
    ['@ and * user', rule(0x600000000n, ObjectType.VM | AclSelector.ALL, 1n),
      ['[user] GROUP (@) and ALL (*) bits are exclusive']],
    ['user without selector', rule(0x1n, ObjectType.VM | AclSelector.ALL, 1n),
      ['[user] is missing one of the INDIVIDUAL, GROUP or ALL bits']],
    ['% user', AclRule.parse('%1 VM/* USE'),
      ['[user] is missing one of the INDIVIDUAL, GROUP or ALL bits']],
    ['negative user id', rule(0x180000000n, ObjectType.VM | AclSelector.ALL, 1n),
      ['[user] ID cannot be negative']],
    ['* user with id', rule(0x400000003n, ObjectType.VM | AclSelector.ALL, 1n),
      ['when using the ALL bit, [user] ID must be 0']],
    ['two resource selectors', rule(0x100000001n, ObjectType.VM | 0x500000000n, 1n),
      ['[resource] INDIVIDUAL (#), GROUP (@), CLUSTER (%) and ALL (*) bits are exclusive']],
    ['% on VM', AclRule.parse('#1 VM+HOST/%2 USE'),
      ['[resource] CLUSTER(%) selector can be applied only to DATASTORE, HOST and NET types']],
    ['% on MARKETPLACE', AclRule.parse('#1 MARKETPLACE/%2 USE'),
      ['[resource] CLUSTER(%) selector can be applied only to DATASTORE, HOST and NET types']],
    ['@ on HOST', AclRule.parse('#1 HOST/@2 USE'),
      ['[resource] GROUP(@) selector cannot be applied to HOST, GROUP, CLUSTER, ZONE or VDC types']],
    ['@ on VDC', AclRule.parse('#1 VM+VDC/@2 USE'),
      ['[resource] GROUP(@) selector cannot be applied to HOST, GROUP, CLUSTER, ZONE or VDC types']],
    ['resource without selector', rule(0x100000001n, ObjectType.VM | 4n, 1n),
      ['[resource] is missing one of the INDIVIDUAL, GROUP, CLUSTER or ALL bits']],
    ['negative resource id', rule(0x100000001n, ObjectType.VM | 0x1ffffffffn, 1n),
      ['[resource] ID cannot be negative']],
    ['* resource with id', rule(0x100000001n, ObjectType.VM | 0x400000009n, 1n),
      ['when using the ALL bit, [resource] ID must be 0']],
    ['no type', AclRule.fromHex('100000001', '400000000', '1'),
      ['[resource] type is missing']],
    ['HOOK type', rule(0x100000001n, ObjectType.HOOK | AclSelector.ALL, 1n),
      ['wrong [resource] type']],
    ['type bit above BACKUPJOB', rule(0x100000001n, 0x0200000400000000n, 1n),
      ['wrong [resource] type']],
    ['no rights', rule(0x100000001n, ObjectType.VM | AclSelector.ALL, 0n),
      ['wrong [rights], it cannot be 0']],
    ['rights beyond CREATE', rule(0x100000001n, ObjectType.VM | AclSelector.ALL, 0x10n),
      ['wrong [rights], it cannot be bigger than 0xF']],
    ['@ zone', AclRule.parse('#1 VM/* USE @0'),
      ['[zone] GROUP (@) bit is not supported']],
    ['# and * zone', rule(0x100000001n, ObjectType.VM | AclSelector.ALL, 1n, 0x500000000n),
      ['[zone] INDIVIDUAL (#) and ALL (*) bits are exclusive']],
    ['% zone', AclRule.parse('#1 VM/* USE %0'),
      ['[zone] is missing one of the INDIVIDUAL or ALL bits']],
    ['negative zone id', rule(0x100000001n, ObjectType.VM | AclSelector.ALL, 1n, 0x1ffffffffn),
      ['[zone] ID cannot be negative']],
    ['* zone with id', rule(0x100000001n, ObjectType.VM | AclSelector.ALL, 1n, 0x400000002n),
      ['when using the ALL bit, [zone] ID must be 0']],
    ['# VM in every zone', AclRule.parse('#1 VM+USER/#4 USE *'),
      ['[resource] INDIVIDUAL(#) selector cannot be applied to ALL zones, except for USER, GROUP and ZONE types']],
  ];
  for (const [name, r, expected] of cases) {
    it(`refuses ${name}`, () => {
      assert.deepEqual(r.problems(), expected);
      throwsAcl(() => r.assertValid(), 'invalid', `Rule ${r} is malformed: ${expected.join('; ')}`);
    });
  }

  it('reports every problem at once', () => {
    const r = rule(0n, 0n, 0n, 0n);
    assert.deepEqual(r.problems(), [
      '[user] is missing one of the INDIVIDUAL, GROUP or ALL bits',
      '[resource] is missing one of the INDIVIDUAL, GROUP, CLUSTER or ALL bits',
      '[resource] type is missing',
      'wrong [rights], it cannot be 0',
      '[zone] is missing one of the INDIVIDUAL or ALL bits',
    ]);
  });
});

describe('AclRule value', () => {
  it('is immutable', () => {
    const r = AclRule.parse('#1 VM/* USE');
    assert.ok(Object.isFrozen(r));
    assert.throws(() => {
      (r as { rights: bigint }).rights = 0xfn;
    }, TypeError);
  });

  it('reads signed components as unsigned 64-bit values', () => {
    const r = new AclRule(4, -1n, ObjectType.VM | AclSelector.ALL, 1n, AclSelector.ALL);
    assert.equal(r.user, 0xffffffffffffffffn);
  });

  it('compares what it grants, not its id', () => {
    const r = AclRule.parse('#1 VM/* USE');
    assert.ok(r.withOid(9).equals(r));
    assert.equal(r.withOid(9).oid, 9);
    assert.ok(!r.equals(AclRule.parse('#1 VM/* MANAGE')));
  });

  it('renders <ACL> with lower-case hex without 0x, as OpenNebula', () => {
    const r = AclRule.parse('@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *').withOid(0);
    assert.equal(
      r.toXml(),
      '<ACL><ID>0</ID><USER>200000001</USER><RESOURCE>121429400000000</RESOURCE><RIGHTS>8</RIGHTS>' +
        '<ZONE>400000000</ZONE><STRING>@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *</STRING></ACL>',
    );
    assert.match(AclRule.parse('#10 NET/#171 USE').withOid(3).toXml(), /<USER>10000000a<\/USER><RESOURCE>41000000ab<\/RESOURCE>/);
  });
});

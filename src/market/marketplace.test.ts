import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { Permissions } from '../pool/index.js';
import { marketMadConf } from './market-conf.js';
import { parseImportReply, parseMonitorReply, takeAppFields } from './market-manager.js';
import { AppState, AppType, appTypeOf, Marketplace, MarketplaceApp, MarketState } from './marketplace.js';

const owner = { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' };

test('a marketplace renders in marketplace.xsd order and reads back', () => {
  const m = new Marketplace(100, 'web', owner, Permissions.fromOctal(0o600), { state: MarketState.DISABLED, marketMad: 'http', zoneId: '0', totalMb: 10, freeMb: 4, usedMb: 6 }, Template.parse('BASE_URL = "http://x/"'));
  m.apps.add(7).add(3);
  const x = parseXmlTree(m.toXml());
  assert.deepEqual(x.children.map((c) => c.name), ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'STATE', 'MARKET_MAD', 'ZONE_ID', 'TOTAL_MB', 'FREE_MB', 'USED_MB', 'MARKETPLACEAPPS', 'PERMISSIONS', 'TEMPLATE']);
  assert.match(m.toXml(), /<MARKETPLACEAPPS><ID>3<\/ID><ID>7<\/ID><\/MARKETPLACEAPPS>/);
  const back = Marketplace.fromXml(x);
  assert.equal(back.toXml(), m.toXml());
});

test('an app renders in marketplaceapp.xsd order (LOCK when locked) and reads back', () => {
  const fields = takeAppFields(Template.parse('SOURCE = "http://x/a"\nMD5 = "abc"\nSIZE = "2.1"\nVERSION = "1"\nTYPE = "IMAGE"\nORIGIN_ID = "4"\nLINK = "http://x"'), { marketId: 100, market: 'web' });
  const app = new MarketplaceApp(2, 'a', owner, Permissions.fromOctal(0o600), fields, Template.parse('LINK = "http://x"'), { level: 1, owner: 0, time: 5, reqId: 1 });
  const x = parseXmlTree(app.toXml());
  assert.deepEqual(x.children.map((c) => c.name), ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'LOCK', 'REGTIME', 'NAME', 'ZONE_ID', 'ORIGIN_ID', 'SOURCE', 'MD5', 'SIZE', 'DESCRIPTION', 'VERSION', 'FORMAT', 'APPTEMPLATE64', 'MARKETPLACE_ID', 'MARKETPLACE', 'STATE', 'TYPE', 'PERMISSIONS', 'TEMPLATE']);
  assert.equal(MarketplaceApp.fromXml(x).toXml(), app.toXml());
  assert.equal(fields.size, 3, 'SIZE in MB, rounded up');
  assert.equal(fields.originId, 4);
  assert.equal(fields.appType, AppType.IMAGE);
  assert.equal(fields.state, AppState.READY);
});

test('takeAppFields moves the app attributes out of the template; unknown TYPE is UNKNOWN', () => {
  const t = Template.parse('SOURCE = "s"\nREGTIME = "1700000000"\nPUBLISHER = "p"\nTYPE = "vmtemplate"');
  const f = takeAppFields(t, { marketId: 1, market: 'm' });
  assert.equal(f.regtime, 1700000000);
  assert.equal(f.appType, AppType.VMTEMPLATE);
  assert.equal(f.originId, -1);
  assert.deepEqual(t.attributes().map((a) => a.name), ['PUBLISHER']);
  assert.equal(takeAppFields(Template.parse('TYPE = "OTHER"'), { marketId: 1, market: 'm' }).appType, AppType.UNKNOWN);
  assert.equal(appTypeOf('service_template'), AppType.SERVICE_TEMPLATE);
  assert.equal(appTypeOf('unknown'), undefined);
});

test('parseImportReply: SOURCE, MD5, SIZE, FORMAT, plain or base64; no SOURCE refused', () => {
  const text = 'SOURCE="http://h/apps/x"\nMD5="d41d"\nSIZE="12"\nFORMAT="qcow2"';
  const want = { source: 'http://h/apps/x', md5: 'd41d', size: 12, format: 'qcow2' };
  assert.deepEqual(parseImportReply(text), want);
  assert.deepEqual(parseImportReply(Buffer.from(text).toString('base64')), want);
  assert.throws(() => parseImportReply('MD5="x"'), /without a SOURCE/);
});

test('parseMonitorReply: capacity when given, and the base64 APP templates of a catalogue', () => {
  const app = Buffer.from('NAME="tiny"\nSOURCE="http://c/appliance/1/download/0"').toString('base64');
  const r = parseMonitorReply(Buffer.from(`APP="${app}"\nAPP="${app}"`).toString('base64'));
  assert.equal(r.capacity, undefined);
  assert.equal(r.apps.length, 2);
  assert.equal(r.apps[0]!.get('NAME'), 'tiny');
  assert.deepEqual(parseMonitorReply('USED_MB=1\nTOTAL_MB=10\nFREE_MB=9').capacity, { totalMb: 10, freeMb: 9, usedMb: 1 });
});

test('MARKET_MAD_CONF: oned.conf entries, else the http and one defaults', () => {
  const d = marketMadConf(new Template());
  assert.deepEqual([...d.keys()], ['one', 'http']);
  assert.deepEqual(d.get('http')!.requiredAttrs, ['BASE_URL', 'PUBLIC_DIR']);
  assert.equal(d.get('one')!.public, true);
  assert.equal(d.get('http')!.appActions.has('create'), true);
  const c = marketMadConf(Template.parse('MARKET_MAD_CONF = [ NAME = "S3", REQUIRED_ATTRS = "bucket", APP_ACTIONS = "create, monitor" ]'));
  assert.deepEqual([...c.keys()], ['s3']);
  assert.deepEqual(c.get('s3')!.requiredAttrs, ['BUCKET']);
  assert.equal(c.get('s3')!.public, false);
});

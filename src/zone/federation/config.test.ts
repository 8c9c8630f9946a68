import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigReader } from '../../common/config.js';
import { Template } from '../../common/template/index.js';
import { federationConfig } from './config.js';

const reader = (text: string) => new ConfigReader(Template.parse(text));

test('standalone by default, zone 0', () => {
  assert.deepEqual(federationConfig(reader('')), { mode: 'STANDALONE', zoneId: 0, masterOned: '' });
  assert.equal(federationConfig(reader('FEDERATION = [ MODE = "master", ZONE_ID = "0" ]')).mode, 'MASTER');
});

test('a slave needs the master\'s endpoint and database', () => {
  const conf = federationConfig(
    reader('FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100, MASTER_ONED = "http://m:2633/RPC2" ]\nFEDERATION_MASTER_DB = [ SERVER = "m", PORT = 5433, USER = "rep", PASSWD = "pw", DB_NAME = "one" ]'),
  );
  assert.deepEqual(conf, { mode: 'SLAVE', zoneId: 100, masterOned: 'http://m:2633/RPC2', masterDb: { server: 'm', port: 5433, user: 'rep', passwd: 'pw', dbName: 'one' } });
  assert.throws(() => federationConfig(reader('FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100 ]')), /needs MASTER_ONED/);
  assert.throws(() => federationConfig(reader('FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100, MASTER_ONED = "m:2633" ]')), /must be an http\(s\) URL/);
  assert.throws(() => federationConfig(reader('FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100, MASTER_ONED = "http://m/RPC2" ]')), /needs FEDERATION_MASTER_DB/);
  assert.throws(() => federationConfig(reader('FEDERATION = [ MODE = "SLAVE", ZONE_ID = 100, MASTER_ONED = "http://m/RPC2" ]\nFEDERATION_MASTER_DB = [ SERVER = "m", PORT = "x" ]')), /PORT must be a TCP port/);
  assert.throws(() => federationConfig(reader('FEDERATION = [ MODE = "SLAVE", ZONE_ID = 0, MASTER_ONED = "http://m/RPC2" ]')), /ZONE_ID = 0 is a system zone \(the master's is 0\)/);
});

test('bad modes and zone ids are named', () => {
  assert.throws(() => federationConfig(reader('FEDERATION = [ MODE = "PEER" ]')), /FEDERATION MODE "PEER" is not valid/);
  assert.throws(() => federationConfig(reader('FEDERATION = [ ZONE_ID = "-1" ]')), /ZONE_ID must be a zone id/);
  assert.throws(() => federationConfig(reader('FEDERATION = [ ZONE_ID = "east" ]')), /got "east"/);
});

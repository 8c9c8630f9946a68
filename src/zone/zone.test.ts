import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Transaction } from '../pool/index.js';
import type { Database, Write } from '../db/database.js';
import { Zone, ZonePool, ZoneState } from './index.js';

test('a zone renders OpenNebula 7.4\'s ZONE and reads it back', () => {
  const t = new Template([], { replaceMode: true });
  t.set('ENDPOINT', 'http://east:2633/RPC2');
  const z = new Zone(100, 'east', ZoneState.DISABLED, t, [{ id: 0, name: 's0', endpoint: 'http://s0:2633/RPC2' }]);
  const xml = z.toXml();
  assert.equal(
    xml,
    '<ZONE><ID>100</ID><NAME>east</NAME><STATE>1</STATE><TEMPLATE><ENDPOINT>http://east:2633/RPC2</ENDPOINT></TEMPLATE>' +
      '<SERVER_POOL><SERVER><ENDPOINT>http://s0:2633/RPC2</ENDPOINT><ID>0</ID><NAME>s0</NAME></SERVER></SERVER_POOL></ZONE>',
  );
  const back = Zone.fromXml(parseXmlTree(xml));
  assert.equal(back.toXml(), xml);
  assert.equal(back.endpoint, 'http://east:2633/RPC2');
  assert.equal(back.nextServerId(), 1);
});

test('the default zone is 0 "OpenNebula"; the next zone gets 100; exists() answers VDCs', async () => {
  const writes: Write[] = [];
  const db = { write: async (w: readonly Write[]) => void writes.push(...w) } as unknown as Database;
  const pool = new ZonePool();
  const tx = new Transaction(db);
  const zone = pool.createDefault(tx, 'http://127.0.0.1:2633/RPC2');
  await tx.commit();
  assert.equal(zone.oid, 0);
  assert.equal(zone.name, 'OpenNebula');
  assert.equal(zone.endpoint, 'http://127.0.0.1:2633/RPC2');
  assert.equal(pool.nextOid(), 100);
  assert.ok(writes.some((w) => w.kind === 'upsert' && w.table === 'pool_control' && w.row.last_oid === 99), 'ids up to 99 are kept for system zones');
  assert.equal(pool.exists(0), true);
  assert.equal(pool.exists(100), false);
});

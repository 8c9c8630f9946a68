import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionData, parseCopyReply } from './image-manager.js';

test('action data is base64 of DS_DRIVER_ACTION_DATA around the elements', () => {
  const data = actionData('<IMAGE><ID>1</ID></IMAGE>', '<DATASTORE><ID>2</ID></DATASTORE>');
  assert.equal(Buffer.from(data, 'base64').toString(), '<DS_DRIVER_ACTION_DATA><IMAGE><ID>1</ID></IMAGE><DATASTORE><ID>2</ID></DATASTORE></DS_DRIVER_ACTION_DATA>');
  assert.match(data, /^[A-Za-z0-9+/=]+$/);
});

test('CP/CLONE replies: source, format and KEY=VALUE words for the template', () => {
  assert.deepEqual(parseCopyReply('/ds/1/abc raw MD5=aa SHA1=bb'), { source: '/ds/1/abc', format: 'raw', attributes: [['MD5', 'aa'], ['SHA1', 'bb']] });
  assert.deepEqual(parseCopyReply('dummy_path raw'), { source: 'dummy_path', format: 'raw', attributes: [] });
  assert.deepEqual(parseCopyReply('/ds/1/x'), { source: '/ds/1/x', format: '', attributes: [] });
  assert.deepEqual(parseCopyReply('/s qcow2 junk lower=1 =x'), { source: '/s', format: 'qcow2', attributes: [] });
});

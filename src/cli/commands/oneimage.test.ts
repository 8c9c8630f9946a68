import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Image, parseObject, parsePool } from '../../oca/index.js';
import { tableLines } from '../output.js';
import { imageColumns, imageShowText } from './oneimage.js';

const PERMS = '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>';
const OWNER = '<UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME>';

const image = (id: number, name: string, type: number, state: number, persistent: number) =>
  `<IMAGE><ID>${id}</ID>${OWNER}<NAME>${name}</NAME>${PERMS}<TYPE>${type}</TYPE><PERSISTENT>${persistent}</PERSISTENT><REGTIME>0</REGTIME>` +
  `<SOURCE>/var/lib/one/ds/1/abc</SOURCE><PATH>/tmp/${name}.img</PATH><SIZE>2048</SIZE><STATE>${state}</STATE><RUNNING_VMS>${state === 2 ? 2 : 0}</RUNNING_VMS>` +
  `<DATASTORE_ID>1</DATASTORE_ID><DATASTORE>default</DATASTORE><VMS>${state === 2 ? '<ID>3</ID><ID>4</ID>' : ''}</VMS><TEMPLATE><DEV_PREFIX>vd</DEV_PREFIX></TEMPLATE></IMAGE>`;

test('oneimage list rows: type and state abbreviations, sizes, persistence', () => {
  const pool = parsePool(Image, 'IMAGE', `<IMAGE_POOL>${image(0, 'ubuntu', 0, 2, 0)}${image(1, 'data', 2, 1, 1)}</IMAGE_POOL>`);
  assert.deepEqual(tableLines(imageColumns.filter((c) => c.default !== false), pool), [
    '  ID USER       GROUP    NAME         DATASTORE     SIZE TYPE PER STAT RVMS',
    '   0 oneadmin   oneadmin ubuntu       default         2G OS   No  used    2',
    '   1 oneadmin   oneadmin data         default         2G DB   Yes rdy     0',
  ]);
});

test('oneimage show: information, permissions, template, VMs', () => {
  const text = imageShowText(parseObject(Image, image(0, 'ubuntu', 0, 2, 0)));
  assert.match(text, /^IMAGE 0 INFORMATION$/m);
  assert.match(text, /^TYPE +: OS$/m);
  assert.match(text, /^STATE +: used$/m);
  assert.match(text, /^SIZE +: 2G$/m);
  assert.match(text, /^GROUP +: u--$/m);
  assert.match(text, /^IMAGE TEMPLATE\nDEV_PREFIX="vd"$/m);
  assert.match(text, /^VIRTUAL MACHINES\n3,4$/m);
});

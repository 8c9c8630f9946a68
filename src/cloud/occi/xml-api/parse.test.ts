import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INSTANCE_TYPES } from '../config.js';
import { OcciError } from '../errors.js';
import { computeTemplate, networkTemplate, storageTemplate } from '../resources.js';
import { parseAction, parseCompute, parseComputeUpdate, parseNetwork, parseStorage, detachDiskParams, attachDiskParams } from './parse.js';

const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof OcciError && e.status === 400 && re.test(e.message));

test('a COMPUTE becomes a VM template: instance type, disks and NICs by href, context', () => {
  const spec = parseCompute(
    '<COMPUTE><NAME>web</NAME><INSTANCE_TYPE href="http://h/instance_type/medium"/><DISK><STORAGE href="http://h/storage/4"/><TARGET>vdb</TARGET></DISK><NIC><NETWORK href="http://h/network/2"/><IP>10.0.0.9</IP></NIC><CONTEXT><HOSTNAME>web</HOSTNAME><SAY>a "quoted" word</SAY></CONTEXT></COMPUTE>',
    DEFAULT_INSTANCE_TYPES,
  );
  assert.equal(spec.instanceType?.name, 'medium');
  assert.deepEqual(spec.disks, [{ imageId: 4, target: 'vdb' }]);
  assert.deepEqual(spec.nics, [{ networkId: 2, ip: '10.0.0.9' }]);
  assert.equal(
    computeTemplate(spec),
    'NAME="web"\nCPU="4"\nVCPU="4"\nMEMORY="4096"\nINSTANCE_TYPE="medium"\nDISK=[\n  IMAGE_ID="4",\n  TARGET="vdb" ]\nNIC=[\n  NETWORK_ID="2",\n  IP="10.0.0.9" ]\nCONTEXT=[\n  HOSTNAME="web",\n  SAY="a \\"quoted\\" word" ]',
  );
  bad(() => parseCompute('<COMPUTE><INSTANCE_TYPE>huge</INSTANCE_TYPE></COMPUTE>', DEFAULT_INSTANCE_TYPES), /Unknown INSTANCE_TYPE "huge"/);
  bad(() => parseCompute('<COMPUTE><DISK><STORAGE href="http://h/network/4"/></DISK></COMPUTE>', DEFAULT_INSTANCE_TYPES), /not the location of a storage/);
  bad(() => parseCompute('<COMPUTE><NIC/></COMPUTE>', DEFAULT_INSTANCE_TYPES), /needs a NETWORK/);
  bad(() => computeTemplate({ disks: [], nics: [], context: [['BAD NAME', 'x']] }), /CONTEXT attribute name/);
});

test('malformed XML, the wrong document, DOCTYPEs: 400', () => {
  bad(() => parseCompute('<COMPUTE><NAME>x', DEFAULT_INSTANCE_TYPES), /Malformed XML/);
  bad(() => parseCompute('', DEFAULT_INSTANCE_TYPES), /empty/);
  bad(() => parseCompute('<NETWORK/>', DEFAULT_INSTANCE_TYPES), /Expected a <COMPUTE>/);
  bad(() => parseCompute('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><COMPUTE><NAME>&e;</NAME></COMPUTE>', DEFAULT_INSTANCE_TYPES), /Malformed XML/);
});

test('STATE changes and actions', () => {
  assert.equal(parseComputeUpdate('<COMPUTE><STATE>stopped</STATE></COMPUTE>').action, 'stop');
  assert.equal(parseComputeUpdate('<COMPUTE><STATE>RESUBMIT</STATE></COMPUTE>').action, 'recover-recreate');
  assert.deepEqual(parseComputeUpdate('<COMPUTE><DISK id="1"><SAVE_AS name="copy"/></DISK></COMPUTE>').saveAs, [{ diskId: 1, name: 'copy' }]);
  bad(() => parseComputeUpdate('<COMPUTE/>'), /Nothing to change/);
  bad(() => parseComputeUpdate('<COMPUTE><STATE>FLYING</STATE></COMPUTE>'), /Unknown STATE/);
  const a = parseAction('<ACTION><PERFORM>attachdisk</PERFORM><PARAMS><DISK><STORAGE href="/storage/3"/></DISK></PARAMS></ACTION>', ['attachdisk', 'detachdisk']);
  assert.deepEqual(attachDiskParams(a.params), { imageId: 3, target: undefined });
  assert.equal(detachDiskParams(parseAction('<ACTION><PERFORM>detachdisk</PERFORM><PARAMS><DISK id="2"/></PARAMS></ACTION>', ['detachdisk']).params), 2);
  bad(() => parseAction('<ACTION><PERFORM>explode</PERFORM></ACTION>', ['attachdisk']), /PERFORM must be one of attachdisk/);
});

test('NETWORK and STORAGE descriptions', () => {
  const n = parseNetwork('<NETWORK><NAME>n</NAME><ADDRESS>10.1.0.1</ADDRESS><SIZE>C</SIZE><PUBLIC>YES</PUBLIC></NETWORK>');
  assert.deepEqual(n, { name: 'n', description: undefined, address: '10.1.0.1', size: 254, public: true });
  assert.equal(networkTemplate(n, { vn_mad: 'bridge', bridge: 'br1' }), 'NAME="n"\nVN_MAD="bridge"\nBRIDGE="br1"\nAR=[\n  SIZE="254",\n  TYPE="IP4",\n  IP="10.1.0.1" ]');
  bad(() => networkTemplate({ name: 'n', address: '10.1.0.300' }, { vn_mad: 'dummy', bridge: 'br0' }), /IPv4/);
  bad(() => parseNetwork('<NETWORK><SIZE>lots</SIZE></NETWORK>'), /SIZE must be/);
  const s = parseStorage('<STORAGE><NAME>d</NAME><TYPE>DATABLOCK</TYPE><SIZE>100</SIZE><FSTYPE>ext4</FSTYPE><PERSISTENT>YES</PERSISTENT></STORAGE>');
  assert.equal(storageTemplate(s), 'NAME="d"\nTYPE="DATABLOCK"\nSIZE="100"\nFSTYPE="ext4"\nPERSISTENT="YES"');
  bad(() => storageTemplate({ name: 'd', type: 'DATABLOCK' }), /needs a file to upload/);
  bad(() => storageTemplate({ name: 'd', type: 'FLOPPY', size: 1 }), /TYPE must be one of/);
  bad(() => parseStorage('<STORAGE><PUBLIC>maybe</PUBLIC></STORAGE>'), /PUBLIC must be YES or NO/);
});

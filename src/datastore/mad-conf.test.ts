import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigReader, loadConfig } from '../common/config.js';
import { PACKAGE_ROOT } from '../oned/location.js';
import { Template } from '../common/template/index.js';
import { StorageMadConf } from './mad-conf.js';

test('the shipped oned.conf has the TM_MAD_CONF and DS_MAD_CONF of OpenNebula 7.4', () => {
  const conf = StorageMadConf.fromConfig(new ConfigReader(loadConfig(join(PACKAGE_ROOT, 'share', 'etc', 'oned.conf'), '/nonexistent')));
  assert.deepEqual(conf.tmNames, ['dummy', 'shared', 'lvm', 'fs_lvm', 'fs_lvm_ssh', 'qcow2', 'ssh', 'local', 'ceph', 'iscsi_libvirt', 'dev', 'netapp', 'purefa', 'virtiofs']);
  const ssh = conf.tm('ssh')!;
  assert.deepEqual([ssh.cloneTarget, ssh.lnTarget, ssh.shared, ssh.dsMigrate], ['SYSTEM', 'SYSTEM', false, true]);
  assert.equal(ssh.attributes.get('ALLOW_ORPHANS'), 'YES');
  assert.equal(ssh.attributes.has('NAME'), false);
  assert.deepEqual(conf.tm('qcow2')!.tmMadSystem, ['ssh']);
  assert.equal(conf.tm('shared')!.shared, true);
  assert.equal(conf.tm('nope'), undefined);
  assert.equal(conf.dsNames.length, 15);
  assert.deepEqual(conf.ds('rsync')!.requiredAttrs, ['RSYNC_HOST', 'RSYNC_USER']);
  assert.equal(conf.ds('rsync')!.persistentOnly, true);
  assert.deepEqual(conf.ds('fs')!.requiredAttrs, []);
  assert.deepEqual(conf.ds('fs')!.marketplaceActions, ['export']);
});

test('the first entry of a NAME wins; entries without NAME are ignored', () => {
  const t = Template.parse('TM_MAD_CONF = [ NAME = a, SHARED = yes ]\nTM_MAD_CONF = [ NAME = a, SHARED = no ]\nTM_MAD_CONF = [ SHARED = yes ]\nDS_MAD_CONF = [ NAME = d ]');
  const conf = StorageMadConf.fromConfig(new ConfigReader(t));
  assert.deepEqual(conf.tmNames, ['a']);
  assert.equal(conf.tm('a')!.shared, true);
  assert.deepEqual(conf.ds('d')!.requiredAttrs, []);
});

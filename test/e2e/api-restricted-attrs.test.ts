/**
 * oned.conf's attribute rules over the API, as OpenNebula 7.4 applies them: one.system.config
 * lists them (with TM_MAD_CONF, DS_MAD_CONF and every other 7.4 key); a user outside the
 * oneadmin group cannot set a *_RESTRICTED_ATTR on allocate, update, instantiate or attach (and
 * may keep an existing value); *_ENCRYPTED_ATTR values are stored encrypted (not in clear in the
 * database) and shown in clear only to admins asking info(id, decrypt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db/index.js';
import { child, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { cliOk } from './cli-helpers.js';
import { Code, addUser, all, databaseOf, must, okId, okXml, onFeatureBackends, refused, templateOf, type TestUser } from './api-helpers.js';

/** Every top-level key of OpenNebula 7.4.0's one.system.config (fresh install), in its order. */
const KEYS_74 = [
  'ACTION_TIMEOUT', 'API_LIST_ORDER', 'AUTH_MAD', 'AUTH_MAD_CONF', 'COLD_MIGRATE_MODE', 'CONTEXT_ALLOW_ETH_UPDATES', 'CONTEXT_RESTRICTED_DIRS',
  'CONTEXT_SAFE_DIRS', 'DATASTORE_CAPACITY_CHECK', 'DATASTORE_ENCRYPTED_ATTR', 'DATASTORE_LOCATION', 'DATASTORE_MAD', 'DB', 'DEFAULT_AUTH',
  'DEFAULT_COST', 'DEFAULT_DEVICE_PREFIX', 'DEFAULT_IMAGE_PERSISTENT', 'DEFAULT_IMAGE_PERSISTENT_NEW', 'DEFAULT_IMAGE_TYPE', 'DEFAULT_UMASK',
  'DEFAULT_VDC_CLUSTER_DATASTORE_ACL', 'DEFAULT_VDC_CLUSTER_HOST_ACL', 'DEFAULT_VDC_CLUSTER_NET_ACL', 'DEFAULT_VDC_DATASTORE_ACL',
  'DEFAULT_VDC_HOST_ACL', 'DEFAULT_VDC_VNET_ACL', 'DOCUMENT_ENCRYPTED_ATTR', 'DRS_INTERVAL', 'DS_MAD_CONF', 'DS_MONITOR_VM_DISK',
  'ENABLE_OTHER_PERMISSIONS', 'FEDERATION', 'GROUP_RESTRICTED_ATTR', 'GRPC_LISTEN_ADDRESS', 'GRPC_PORT', 'HM_MAD', 'HOOK_LOG_CONF',
  'IMAGE_RESTRICTED_ATTR', 'IM_MAD', 'INHERIT_DATASTORE_ATTR', 'INHERIT_IMAGE_ATTR', 'INHERIT_VNET_ATTR', 'IPAM_MAD', 'KEEPALIVE_MAX_CONN',
  'KEEPALIVE_TIMEOUT', 'LISTEN_ADDRESS', 'LIVE_RESCHEDS', 'LOG', 'LOG_CALL_FORMAT', 'LOG_RESULT_LENGTH', 'MAC_GLOBAL_SPACE', 'MAC_PREFIX',
  'MANAGER_TIMER', 'MARKET_MAD', 'MARKET_MAD_CONF', 'MAX_ACTIONS_PER_CLUSTER', 'MAX_ACTIONS_PER_HOST', 'MAX_BACKUPS', 'MAX_BACKUPS_HOST',
  'MAX_CONN', 'MAX_CONN_BACKLOG', 'MESSAGE_SIZE', 'MONITORING_INTERVAL_DATASTORE', 'MONITORING_INTERVAL_MARKET', 'NETWORK_SIZE', 'ONE_KEY',
  'PCI_PASSTHROUGH_BUS', 'PORT', 'RAFT', 'RPC_LOG', 'SCHED_MAD', 'SCHED_MAX_WND_LENGTH', 'SCHED_MAX_WND_TIME', 'SCHED_RETRY_TIME',
  'SCRIPTS_REMOTE_DIR', 'SESSION_EXPIRATION_TIME', 'SHOWBACK_ONLY_RUNNING', 'TIMEOUT', 'TM_MAD', 'TM_MAD_CONF', 'USER_ENCRYPTED_ATTR',
  'USER_RESTRICTED_ATTR', 'VLAN_IDS', 'VM_ADMIN_OPERATIONS', 'VM_ENCRYPTED_ATTR', 'VM_MAD', 'VM_MANAGE_OPERATIONS', 'VM_RESTRICTED_ATTR',
  'VM_SNAPSHOT_FACTOR', 'VM_SUBMIT_ON_HOLD', 'VM_USE_OPERATIONS', 'VNC_PORTS', 'VNET_RESTRICTED_ATTR', 'VN_MAD_CONF', 'VXLAN_IDS',
];

const texts = (config: XmlNode, name: string) => all(config, name).map((e) => e.text);
const keysOf = (e: XmlNode) => e.children.map((c) => c.name);

/** A message of OpenNebula's AUTHORIZATION failures: `User [id] : <why>.` */
const denied = (user: TestUser, why: string) => new RegExp(`User \\[${user.id}\\] : ${why.replace(/[/[\]]/g, '\\$&')}\\.$`);

async function bodyOf(oned: Oned, table: string, oid: number): Promise<string> {
  const db = await openDatabase(databaseOf(oned));
  try {
    const rows = await db.query(`SELECT body FROM ${table} WHERE oid = ?`, [oid]);
    assert.equal(rows.length, 1, `${table} has row ${oid}`);
    return String(rows[0]!.body);
  } finally {
    await db.close();
  }
}

onFeatureBackends('restricted and encrypted attributes', (get) => {
  let user: TestUser;
  /** A user whose secondary group is oneadmin's: an admin too, as in OpenNebula. */
  let groupAdmin: TestUser;

  test('setup: a plain user and a member of the oneadmin group', async () => {
    const oned = get();
    user = await addUser(oned, 'restricted-user');
    groupAdmin = await addUser(oned, 'restricted-admin', [1, 0]);
  });

  test('one.system.config shows every key of 7.4, sorted, with the attribute lists and driver confs', async () => {
    const config = await okXml(get(), 'one.system.config', []);
    assert.equal(config.name, 'OPENNEBULA_CONFIGURATION');
    const names = config.children.map((c) => c.name);
    assert.deepEqual(names, [...names].sort(), 'keys in name order');
    assert.deepEqual(KEYS_74.filter((k) => !names.includes(k)), [], 'no 7.4 key missing');
    const vmRestricted = texts(config, 'VM_RESTRICTED_ATTR');
    assert.equal(vmRestricted.length, 66);
    for (const a of ['CONTEXT/FILES', 'NIC/BRIDGE', 'NIC/MAC', 'RAW/DATA', 'DEPLOY_ID', 'TOPOLOGY/HUGEPAGE_SIZE']) assert.ok(vmRestricted.includes(a), a);
    assert.deepEqual(texts(config, 'IMAGE_RESTRICTED_ATTR'), ['SOURCE']);
    assert.deepEqual(texts(config, 'USER_RESTRICTED_ATTR'), ['VM_USE_OPERATIONS', 'VM_MANAGE_OPERATIONS', 'VM_ADMIN_OPERATIONS']);
    assert.deepEqual(texts(config, 'GROUP_RESTRICTED_ATTR'), ['VM_USE_OPERATIONS', 'VM_MANAGE_OPERATIONS', 'VM_ADMIN_OPERATIONS']);
    assert.deepEqual(texts(config, 'VNET_RESTRICTED_ATTR').slice(0, 4), ['VN_MAD', 'PHYDEV', 'QINQ_TYPE', 'BRIDGE']);
    assert.deepEqual(texts(config, 'VM_ENCRYPTED_ATTR'), ['CONTEXT/PASSWORD', 'ONEAPP_ONEKS_CLUSTER_SPEC']);
    assert.deepEqual(texts(config, 'USER_ENCRYPTED_ATTR'), ['SSH_PRIVATE_KEY', 'SSH_PASSPHRASE']);
    assert.deepEqual(texts(config, 'DATASTORE_ENCRYPTED_ATTR'), ['RESTIC_PASSWORD', 'NETAPP_PASS', 'PUREFA_API_TOKEN']);
    const tm = all(config, 'TM_MAD_CONF');
    assert.deepEqual(tm.map((e) => childText(e, 'NAME')), ['dummy', 'shared', 'lvm', 'fs_lvm', 'fs_lvm_ssh', 'qcow2', 'ssh', 'local', 'ceph', 'iscsi_libvirt', 'dev', 'netapp', 'purefa', 'virtiofs']);
    const qcow2 = tm.find((e) => childText(e, 'NAME') === 'qcow2')!;
    assert.deepEqual(keysOf(qcow2), ['ALLOW_ORPHANS', 'CLONE_TARGET', 'CLONE_TARGET_SSH', 'DISK_TYPE_SSH', 'DRIVER', 'DS_LIVE_MIGRATE', 'DS_MIGRATE', 'DS_MIGRATE_SNAP', 'LN_TARGET', 'LN_TARGET_SSH', 'NAME', 'SHARED', 'TM_MAD_SYSTEM']);
    const ds = all(config, 'DS_MAD_CONF');
    assert.equal(ds.length, 15);
    const ceph = ds.find((e) => childText(e, 'NAME') === 'ceph')!;
    assert.deepEqual(keysOf(ceph), ['MARKETPLACE_ACTIONS', 'NAME', 'PERSISTENT_ONLY', 'REQUIRED_ATTRS']);
    assert.equal(childText(ceph, 'REQUIRED_ATTRS'), 'DISK_TYPE,BRIDGE_LIST');
    assert.equal(all(config, 'INHERIT_VNET_ATTR').length, 31);
    assert.equal(all(config, 'AUTH_MAD_CONF').length, 8);
    // Secrets stay in oned: the key is masked, the database password never listed.
    assert.equal(childText(config, 'ONE_KEY'), '0'.repeat(64));
    assert.equal(child(must(config, 'DB'), 'PASSWD'), undefined);
    const userView = await okXml(get(), 'one.system.config', [], user.session);
    assert.equal(child(userView, 'DB'), undefined, 'users outside oneadmin do not see the DB settings');
    assert.equal(texts(userView, 'VM_RESTRICTED_ATTR').length, 66);
  });

  test('VM and template allocate: restricted attributes are refused to users, allowed to admins', async () => {
    const oned = get();
    const vm = 'NAME = "r-vm"\nCPU = 0.1\nMEMORY = 32\n';
    await refused(oned, 'one.vm.allocate', [`${vm}NIC = [ NETWORK = "x", BRIDGE = "br-evil" ]`, true], Code.AUTHORIZATION, denied(user, 'VM Template includes a restricted attribute BRIDGE'), user.session);
    await refused(oned, 'one.vm.allocate', [`${vm}CONTEXT = [ FILES = "/etc/shadow" ]`, true], Code.AUTHORIZATION, denied(user, 'VM Template includes a restricted attribute FILES'), user.session);
    await refused(oned, 'one.vm.allocate', [`${vm}RAW = [ TYPE = "kvm", DATA = "<devices/>" ]`, true], Code.AUTHORIZATION, denied(user, 'VM Template includes a restricted attribute DATA'), user.session);
    await refused(oned, 'one.vm.allocate', [`${vm}CPU_COST = 0`, true], Code.AUTHORIZATION, denied(user, 'VM Template includes a restricted attribute CPU_COST'), user.session);
    await refused(oned, 'one.template.allocate', [`${vm}RAW = [ TYPE = "kvm", DATA = "<devices/>" ]`], Code.AUTHORIZATION, denied(user, 'VM Template includes a restricted attribute DATA'), user.session);
    // RAW without DATA is not restricted; nor is anything else.
    await okId(oned, 'one.vm.allocate', [`${vm}RAW = [ TYPE = "kvm" ]`, true], user.session);
    await okId(oned, 'one.vm.allocate', [`${vm}RAW = [ TYPE = "kvm", DATA = "<devices/>" ]\nCPU_COST = 1`, true]);
    await okId(oned, 'one.template.allocate', [`NAME = "r-admin-tpl"\nCPU = 1\nMEMORY = 32\nRAW = [ TYPE = "kvm", DATA = "<x/>" ]`], groupAdmin.session);
  });

  test('template update: a user may keep a restricted value (left out or repeated) but not change it', async () => {
    const oned = get();
    const id = await okId(oned, 'one.template.allocate', ['NAME = "r-shared"\nCPU = 1\nMEMORY = 32\nCPU_COST = 3\nRAW = [ TYPE = "kvm", DATA = "<a/>" ]']);
    await okId(oned, 'one.template.chown', [id, user.id, -1]);
    // Replacing without the restricted single attribute keeps it; repeating RAW/DATA is fine.
    await okId(oned, 'one.template.update', [id, 'CPU = 2\nMEMORY = 64\nRAW = [ TYPE = "kvm", DATA = "<a/>" ]', 0], user.session);
    let t = templateOf(await okXml(oned, 'one.template.info', [id], user.session));
    assert.deepEqual([t.CPU, t.CPU_COST, t.RAW], ['2', '3', JSON.stringify({ DATA: '<a/>', TYPE: 'kvm' })]);
    await refused(oned, 'one.template.update', [id, 'CPU = 2\nRAW = [ TYPE = "kvm", DATA = "<b/>" ]', 0], Code.INTERNAL, /Cannot update template\. Tried to change restricted attribute: RAW$/, user.session);
    await refused(oned, 'one.template.update', [id, 'CPU = 2', 0], Code.INTERNAL, /Cannot update template\. Tried to change restricted attribute: RAW$/, user.session);
    await refused(oned, 'one.template.update', [id, 'CPU_COST = 0', 1], Code.INTERNAL, /Cannot update template\. User Template includes a restricted attribute CPU_COST$/, user.session);
    await refused(oned, 'one.template.update', [id, 'EMULATOR = "/bin/sh"', 1], Code.INTERNAL, /User Template includes a restricted attribute EMULATOR$/, user.session);
    await okId(oned, 'one.template.update', [id, 'DESCRIPTION = "mine"\nCPU_COST = 3', 1], user.session);
    t = templateOf(await okXml(oned, 'one.template.info', [id]));
    assert.deepEqual([t.DESCRIPTION, t.CPU_COST], ['mine', '3']);
    // oneadmin changes them at will.
    await okId(oned, 'one.template.update', [id, 'CPU = 1\nMEMORY = 32\nCPU_COST = 9', 0]);
    t = templateOf(await okXml(oned, 'one.template.info', [id]));
    assert.deepEqual([t.CPU_COST, t.RAW], ['9', undefined]);
  });

  test('instantiate: the extra template may repeat the template\'s restricted values, not change them', async () => {
    const oned = get();
    const id = await okId(oned, 'one.template.allocate', ['NAME = "r-inst"\nCPU = 0.1\nMEMORY = 32\nCPU_COST = 3']);
    await okId(oned, 'one.template.chmod', [id, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    await refused(oned, 'one.template.instantiate', [id, 'r-inst-1', true, 'CPU_COST = 4', false], Code.AUTHORIZATION, denied(user, 'User Template includes a restricted attribute CPU_COST'), user.session);
    await refused(oned, 'one.template.instantiate', [id, 'r-inst-2', true, 'RAW = [ TYPE = "kvm", DATA = "<x/>" ]', false], Code.AUTHORIZATION, denied(user, 'User Template includes a restricted attribute RAW'), user.session);
    const vm = await okId(oned, 'one.template.instantiate', [id, 'r-inst-3', true, 'CPU_COST = 3\nNOTE = "ok"', false], user.session);
    const v = await okXml(oned, 'one.vm.info', [vm], user.session);
    assert.equal(childText(must(v, 'TEMPLATE'), 'CPU_COST'), '3');
    // The template's own restricted values do not stop users instantiating it.
    await okId(oned, 'one.template.instantiate', [id, 'r-inst-4', true, '', false], user.session);
    await okId(oned, 'one.template.instantiate', [id, 'r-inst-5', true, 'CPU_COST = 7', false]);
  });

  test('VM update and attach: USER_TEMPLATE restricted values; NIC and DISK attach templates', async () => {
    const oned = get();
    const vm = await okId(oned, 'one.vm.allocate', ['NAME = "r-upd"\nCPU = 0.1\nMEMORY = 32\nNOTE = "a"', true], user.session);
    await refused(oned, 'one.vm.update', [vm, 'DEPLOY_ID = "x"', 1], Code.INTERNAL, /Cannot update template\. User Template includes a restricted attribute DEPLOY_ID$/, user.session);
    await refused(oned, 'one.vm.update', [vm, 'USER_PRIORITY = 100', 0], Code.INTERNAL, /Cannot update template\. Tried to change restricted attribute: USER_PRIORITY$/, user.session);
    await okId(oned, 'one.vm.update', [vm, 'NOTE = "b"', 1], user.session);
    await okId(oned, 'one.vm.update', [vm, 'USER_PRIORITY = 100', 1]);
    await okId(oned, 'one.vm.update', [vm, 'NOTE = "c"', 0], user.session);
    const ut = must(await okXml(oned, 'one.vm.info', [vm]), 'USER_TEMPLATE');
    assert.deepEqual([childText(ut, 'NOTE'), childText(ut, 'USER_PRIORITY')], ['c', '100'], 'a replace keeps the restricted value');
    await refused(oned, 'one.vm.attachnic', [vm, 'NIC = [ NETWORK = "x", MAC = "02:00:00:00:00:99" ]'], Code.AUTHORIZATION, denied(user, 'NIC includes a restricted attribute MAC'), user.session);
    await refused(oned, 'one.vm.attach', [vm, 'DISK = [ IMAGE = "x", TOTAL_IOPS_SEC = 100000 ]'], Code.AUTHORIZATION, denied(user, 'DISK includes a restricted attribute TOTAL_IOPS_SEC'), user.session);
  });

  test('images: SOURCE is the admins\'', async () => {
    const oned = get();
    const ds = await okId(oned, 'one.datastore.allocate', ['NAME = "r-img-ds"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    await okId(oned, 'one.datastore.chmod', [ds, -1, -1, -1, 1, -1, -1, 1, -1, -1]);
    await refused(oned, 'one.image.allocate', ['NAME = "r-src"\nSOURCE = "/var/lib/any"\nSIZE = 1\nTYPE = "DATABLOCK"', ds], Code.AUTHORIZATION, denied(user, 'Template includes a restricted attribute SOURCE'), user.session);
    const img = await okId(oned, 'one.image.allocate', ['NAME = "r-img"\nTYPE = "DATABLOCK"\nSIZE = 1', ds], user.session);
    await refused(oned, 'one.image.update', [img, 'SOURCE = "/elsewhere"', 1], Code.INTERNAL, /Cannot update template\. User Template includes a restricted attribute SOURCE$/, user.session);
    await okId(oned, 'one.image.update', [img, 'DESCRIPTION = "d"', 1], user.session);
  });

  test('virtual networks: update refuses restricted changes; update_ar drops the restricted AR keys of users', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', ['NAME = "r-net"\nVN_MAD = "bridge"\nBRIDGE = "br-r"\nAR = [ TYPE = "IP4", IP = "10.77.0.1", SIZE = "4" ]', -1]);
    await okId(oned, 'one.vn.chown', [id, user.id, -1]);
    await refused(oned, 'one.vn.update', [id, 'PHYDEV = "eth9"', 1], Code.INTERNAL, /Cannot update template\. User Template includes a restricted attribute PHYDEV$/, user.session);
    await refused(oned, 'one.vn.update', [id, 'BRIDGE = "br-x"\nVN_MAD = "bridge"', 0], Code.INTERNAL, /Tried to change restricted attribute: BRIDGE$/, user.session);
    // A replace that leaves them out keeps them.
    await okId(oned, 'one.vn.update', [id, 'DESCRIPTION = "mine"', 0], user.session);
    let v = await okXml(oned, 'one.vn.info', [id]);
    assert.deepEqual([childText(v, 'BRIDGE'), childText(v, 'VN_MAD'), templateOf(v).DESCRIPTION], ['br-r', 'bridge', 'mine']);
    await okId(oned, 'one.vn.update_ar', [id, 'AR = [ AR_ID = 0, BRIDGE = "br-evil", FILTER = "x", NOTE = "ok" ]'], user.session);
    let ar = must(must(await okXml(oned, 'one.vn.info', [id]), 'AR_POOL'), 'AR');
    assert.deepEqual([child(ar, 'BRIDGE'), child(ar, 'FILTER'), childText(ar, 'NOTE')], [undefined, undefined, 'ok']);
    await okId(oned, 'one.vn.update_ar', [id, 'AR = [ AR_ID = 0, BRIDGE = "br-ar" ]']);
    ar = must(must(await okXml(oned, 'one.vn.info', [id]), 'AR_POOL'), 'AR');
    assert.equal(childText(ar, 'BRIDGE'), 'br-ar');
    v = await okXml(oned, 'one.vn.info', [id]);
    assert.equal(childText(v, 'BRIDGE'), 'br-r');
  });

  test('users: the VM_*_OPERATIONS of their own template are the admins\'', async () => {
    const oned = get();
    await refused(oned, 'one.user.update', [user.id, 'VM_USE_OPERATIONS = "migrate"', 1], Code.INTERNAL, /User Template includes a restricted attribute VM_USE_OPERATIONS$/, user.session);
    await okId(oned, 'one.user.update', [user.id, 'VM_USE_OPERATIONS = "migrate"', 1]);
    await okId(oned, 'one.user.update', [user.id, 'LANG = "en"', 0], user.session);
    const t = templateOf(await okXml(oned, 'one.user.info', [user.id]));
    assert.deepEqual([t.LANG, t.VM_USE_OPERATIONS], ['en', 'migrate']);
  });

  test('encrypted attributes: not in clear in the database, in clear only with decrypt for admins', async () => {
    const oned = get();
    const key = '-----BEGIN OPENSSH PRIVATE KEY----- k3y <&> -----END-----';
    await okId(oned, 'one.user.update', [user.id, `SSH_PRIVATE_KEY = "${key}"\nSSH_PUBLIC_KEY = "ssh-ed25519 AAAA"`, 1], user.session);
    const stored = templateOf(await okXml(oned, 'one.user.info', [user.id])).SSH_PRIVATE_KEY!;
    assert.notEqual(stored, key);
    assert.match(stored, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(templateOf(await okXml(oned, 'one.user.info', [user.id, true])).SSH_PRIVATE_KEY, key, 'admins decrypt');
    assert.equal(templateOf(await okXml(oned, 'one.user.info', [user.id, true], user.session)).SSH_PRIVATE_KEY, stored, 'users do not');
    assert.equal(templateOf(await okXml(oned, 'one.user.info', [user.id, true])).SSH_PUBLIC_KEY, 'ssh-ed25519 AAAA');
    const userBody = await bodyOf(oned, 'user_pool', user.id);
    assert.ok(!userBody.includes('k3y') && userBody.includes(stored), 'the database holds the ciphertext only');

    const ds = await okId(oned, 'one.datastore.allocate', ['NAME = "r-netapp"\nDS_MAD = "dummy"\nTM_MAD = "dummy"\nNETAPP_PASS = "hunter2"', -1]);
    assert.notEqual(templateOf(await okXml(oned, 'one.datastore.info', [ds])).NETAPP_PASS, 'hunter2');
    assert.equal(templateOf(await okXml(oned, 'one.datastore.info', [ds, true])).NETAPP_PASS, 'hunter2');
    await okId(oned, 'one.datastore.update', [ds, 'RESTIC_PASSWORD = "r3stic"', 1]);
    assert.equal(templateOf(await okXml(oned, 'one.datastore.info', [ds, true])).RESTIC_PASSWORD, 'r3stic');
    const dsBody = await bodyOf(oned, 'datastore_pool', ds);
    assert.ok(!dsBody.includes('hunter2') && !dsBody.includes('r3stic'));

    const tpl = await okId(oned, 'one.template.allocate', ['NAME = "r-ctx"\nCPU = 0.1\nMEMORY = 32\nCONTEXT = [ USERNAME = "root", PASSWORD = "pw-123" ]']);
    const ctx = (x: XmlNode) => JSON.parse(templateOf(x).CONTEXT!) as Record<string, string>;
    assert.notEqual(ctx(await okXml(oned, 'one.template.info', [tpl])).PASSWORD, 'pw-123');
    assert.equal(ctx(await okXml(oned, 'one.template.info', [tpl, false, true])).PASSWORD, 'pw-123');
    assert.equal(ctx(await okXml(oned, 'one.template.info', [tpl, false, true])).USERNAME, 'root');
    assert.ok(!(await bodyOf(oned, 'template_pool', tpl)).includes('pw-123'));
    const vm = await okId(oned, 'one.template.instantiate', [tpl, 'r-ctx-vm', true, '', false]);
    const vmCtx = Object.fromEntries(must(must(await okXml(oned, 'one.vm.info', [vm, true]), 'TEMPLATE'), 'CONTEXT').children.map((c) => [c.name, c.text]));
    assert.equal(vmCtx.PASSWORD, 'pw-123');
    assert.ok(!(await bodyOf(oned, 'vm_pool', vm)).includes('pw-123'));

    // The command line: show --decrypt (oneadmin's session), as OpenNebula's CLI.
    const shown = await cliOk(oned, 'onedatastore', ['show', String(ds), '--xml']);
    assert.ok(!shown.includes('hunter2'));
    assert.match(await cliOk(oned, 'onedatastore', ['show', String(ds), '--xml', '--decrypt']), /<NETAPP_PASS>hunter2<\/NETAPP_PASS>/);
    assert.ok((await cliOk(oned, 'oneuser', ['show', String(user.id), '--decrypt'])).includes('k3y'));
    assert.ok(ctx(await okXml(oned, 'one.template.info', [tpl, true])).PASSWORD !== 'pw-123', 'template.info\'s second argument is extended, not decrypt');
    assert.match(await cliOk(oned, 'onetemplate', ['show', String(tpl), '--xml', '--decrypt']), /<PASSWORD>pw-123<\/PASSWORD>/);

    const doc = await okId(oned, 'one.document.allocate', ['NAME = "r-doc"\nPROVISION_BODY = "{\\"token\\": \\"t0k\\"}"', 100]);
    assert.equal(templateOf(await okXml(oned, 'one.document.info', [doc, true])).PROVISION_BODY, '{"token": "t0k"}');
    assert.ok(!(await bodyOf(oned, 'document_pool', doc)).includes('t0k'));
  });
});

onFeatureBackends(
  'encrypted attributes a site lists',
  (get) => {
    test('HOST_ENCRYPTED_ATTR and VNET_ENCRYPTED_ATTR from oned.conf', async () => {
      const oned = get();
      const host = await okId(oned, 'one.host.allocate', ['r-host', 'dummy', 'dummy', -1]);
      await okId(oned, 'one.host.update', [host, 'PROVIDER = [ NAME = "p", SECRET = "s3" ]', 1]);
      const p = (x: XmlNode) => JSON.parse(templateOf(x).PROVIDER!) as Record<string, string>;
      assert.notEqual(p(await okXml(oned, 'one.host.info', [host])).SECRET, 's3');
      assert.deepEqual(p(await okXml(oned, 'one.host.info', [host, true])), { NAME: 'p', SECRET: 's3' });
      const net = await okId(oned, 'one.vn.allocate', ['NAME = "r-enc-net"\nVN_MAD = "bridge"\nAPI_TOKEN = "tk"', -1]);
      assert.notEqual(templateOf(await okXml(oned, 'one.vn.info', [net])).API_TOKEN, 'tk');
      assert.equal(templateOf(await okXml(oned, 'one.vn.info', [net, true])).API_TOKEN, 'tk');
      assert.ok(!(await bodyOf(oned, 'network_pool', net)).includes('>tk<'));
      const c = await okXml(oned, 'one.system.config', []);
      assert.deepEqual(texts(c, 'HOST_ENCRYPTED_ATTR'), ['PROVIDER/SECRET']);
    });
  },
  'HOST_ENCRYPTED_ATTR = "PROVIDER/SECRET"\nVNET_ENCRYPTED_ATTR = "API_TOKEN"\n',
);

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { checkHookTemplate, hookableCall, HookObject, HookPool, type HookCheckContext } from './hook-object.js';

const ctx: HookCheckContext = {
  methodExists: (n) => ['one.vm.allocate', 'one.vm.info', 'one.host.allocate'].includes(n),
  states: { vm: ['PENDING', 'ACTIVE', 'DONE', 'STOPPED'], lcm: ['LCM_INIT', 'RUNNING', 'PROLOG', 'EPILOG', 'UNKNOWN'], host: ['INIT', 'MONITORED', 'ERROR', 'DISABLED'], image: ['READY', 'ERROR'], net: ['READY', 'ERROR'] },
};
const checked = (type: 'api' | 'state', text: string) => {
  const t = Template.parse(text);
  checkHookTemplate(type, t, ctx);
  return Object.fromEntries(t.attributes().map((a) => [a.name, a.value]));
};

test('api hooks need an existing method that is not a reading call', () => {
  assert.deepEqual(checked('api', 'CALL = " one.vm.allocate "\nCOMMAND = "a"\nARGUMENTS_STDIN = "yes"'), { CALL: 'one.vm.allocate', COMMAND: 'a', ARGUMENTS_STDIN: 'YES', REMOTE: 'NO' });
  assert.throws(() => checked('api', 'CALL = "one.vm.nosuch"\nCOMMAND = "a"'), /API call does not exist or is not supported: one\.vm\.nosuch/);
  assert.throws(() => checked('api', 'CALL = "one.vm.info"\nCOMMAND = "a"'), /not supported: one\.vm\.info/);
  assert.throws(() => checked('api', 'CALL = "one.vm.allocate"'), /No COMMAND/);
  assert.throws(() => checked('api', 'CALL = "one.vm.allocate"\nCOMMAND = "a"\nTIMEOUT = "-3"'), /TIMEOUT must be a number/);
  assert.equal(hookableCall('one.vmpool.infoextended'), false);
  assert.equal(hookableCall('one.hooklog.info'), false);
  assert.equal(hookableCall('one.vm.action'), true);
});

test('VM state hooks: ON becomes STATE and LCM_STATE; CUSTOM names are checked', () => {
  assert.deepEqual(checked('state', 'RESOURCE = "vm"\nON = "running"\nCOMMAND = "a"'), { RESOURCE: 'VM', COMMAND: 'a', REMOTE: 'NO', STATE: 'ACTIVE', LCM_STATE: 'RUNNING' });
  assert.deepEqual(checked('state', 'RESOURCE = "VM"\nON = "DONE"\nCOMMAND = "a"'), { RESOURCE: 'VM', COMMAND: 'a', REMOTE: 'NO', STATE: 'DONE', LCM_STATE: 'LCM_INIT' });
  assert.equal(checked('state', 'RESOURCE = "VM"\nON = "CUSTOM"\nSTATE = "pending"\nCOMMAND = "a"').LCM_STATE, 'LCM_INIT');
  assert.throws(() => checked('state', 'RESOURCE = "VM"\nON = "BOOTED"\nCOMMAND = "a"'), /Unknown state condition: BOOTED/);
  assert.throws(() => checked('state', 'RESOURCE = "VM"\nON = "CUSTOM"\nSTATE = "X"\nCOMMAND = "a"'), /Wrong STATE: "X"/);
  assert.throws(() => checked('state', 'RESOURCE = "VM"\nON = "CUSTOM"\nSTATE = "ACTIVE"\nLCM_STATE = "Y"\nCOMMAND = "a"'), /Wrong LCM_STATE: "Y"/);
  assert.throws(() => checked('state', 'RESOURCE = "VM"\nCOMMAND = "a"'), /ON is missing/);
});

test('host, image and network state hooks take a STATE of their resource', () => {
  assert.equal(checked('state', 'RESOURCE = "HOST"\nSTATE = "error"\nCOMMAND = "a"').STATE, 'ERROR');
  assert.equal(checked('state', 'RESOURCE = "VNET"\nSTATE = "READY"\nCOMMAND = "a"').RESOURCE, 'NET');
  assert.throws(() => checked('state', 'RESOURCE = "IMAGE"\nSTATE = "RUNNING"\nCOMMAND = "a"'), /"RUNNING" is not a IMAGE state/);
  assert.throws(() => checked('state', 'STATE = "ERROR"\nCOMMAND = "a"'), /RESOURCE attribute is required/);
  assert.throws(() => checked('state', 'RESOURCE = "USER"\nSTATE = "ERROR"\nCOMMAND = "a"'), /Invalid resource type: USER/);
});

test('the pool finds api hooks by CALL and state hooks by state, following changes', () => {
  const pool = new (class extends HookPool {
    put(h: HookObject) {
      this.add(h);
    }
  })();
  const api = new HookObject(0, 'a', 'api', Template.parse('CALL = "one.vm.allocate"\nCOMMAND = "a"'));
  const running = new HookObject(1, 's', 'state', Template.parse('RESOURCE = "VM"\nSTATE = "ACTIVE"\nLCM_STATE = "RUNNING"\nCOMMAND = "a"'));
  pool.put(api);
  pool.put(running);
  assert.deepEqual(pool.apiHooks('one.vm.allocate'), [api]);
  assert.deepEqual(pool.apiHooks('one.host.allocate'), []);
  assert.deepEqual(pool.stateHooks('VM', 'ACTIVE', 'RUNNING'), [running]);
  assert.deepEqual(pool.stateHooks('VM', 'ACTIVE', 'PROLOG'), []);
  assert.equal(pool.watches('HOST'), false);
  pool.objectChanged(api);
  api.template.set('CALL', 'one.host.allocate');
  assert.deepEqual(pool.apiHooks('one.host.allocate'), [api]);
  assert.match(api.toXml(), /^<HOOK><ID>0<\/ID><NAME>a<\/NAME><TYPE>api<\/TYPE><TEMPLATE>/);
  assert.deepEqual(pool.rowWrites(api, true).map((w) => w.table), ['hook_pool', 'hook_log']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigReader } from '../common/config.js';
import { Template } from '../common/template/index.js';
import { HookConfigError, hookArguments, hooksFromConfig, vmHookMatches, type VmHookSubject } from './hook.js';

const NAMES = { states: ['PENDING', 'ACTIVE', 'DONE', 'STOPPED'], lcmStates: ['LCM_INIT', 'RUNNING', 'BOOT_UNKNOWN', 'EPILOG', 'BOOT_FAILURE'] };
const conf = (text: string) => new ConfigReader(Template.parse(text));

const vm = (state: string, lcmState: string): VmHookSubject => ({ oid: 7, state, lcmState, prevState: 1, prevLcmState: 0, xml: '<VM><ID>7</ID></VM>' });

test('VM and host hooks are read from oned.conf, FAILURE as FAILED, names defaulted', () => {
  const hooks = hooksFromConfig(
    conf(`VM_HOOK = [ NAME = "mail", ON = "running", COMMAND = "notify/email", ARGUMENTS = "a@b $TEMPLATE" ]
VM_HOOK = [ ON = "FAILURE", COMMAND = "/bin/true", REMOTE = "yes" ]
VM_HOOK = [ NAME = "c", ON = "CUSTOM", STATE = "ACTIVE", LCM_STATE = "BOOT_UNKNOWN", COMMAND = "log.sh" ]
HOST_HOOK = [ NAME = "error", ON = "ERROR", COMMAND = "ft/host_error", ARGUMENTS = "$ID -r" ]`),
    NAMES,
  );
  assert.deepEqual(hooks.vm.map((h) => [h.name, h.on, h.remote]), [['mail', 'RUNNING', false], ['vm_hook_1', 'FAILED', true], ['c', 'CUSTOM', false]]);
  assert.deepEqual(hooks.vm[0]!.args, ['a@b', '$TEMPLATE']);
  assert.equal(hooks.vm[2]!.lcmState, 'BOOT_UNKNOWN');
  assert.deepEqual(hooks.host.map((h) => [h.name, h.on, h.command]), [['error', 'ERROR', 'ft/host_error']]);
});

test('bad hook definitions stop oned with a message naming the hook', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => hooksFromConfig(conf(text), NAMES), (e: unknown) => e instanceof HookConfigError && re.test((e as Error).message));
  bad('VM_HOOK = [ NAME = "x", ON = "BOOTED", COMMAND = "a" ]', /VM_HOOK "x": ON = "BOOTED" is not one of CREATE/);
  bad('HOST_HOOK = [ NAME = "h", ON = "RUNNING", COMMAND = "a" ]', /HOST_HOOK "h": ON = "RUNNING"/);
  bad('VM_HOOK = [ NAME = "x", ON = "DONE" ]', /COMMAND is missing/);
  bad('VM_HOOK = [ NAME = "x", ON = "CUSTOM", COMMAND = "a" ]', /needs a STATE/);
  bad('VM_HOOK = [ NAME = "x", ON = "CUSTOM", STATE = "ACTIV", COMMAND = "a" ]', /unknown STATE "ACTIV"/);
  bad('VM_HOOK = [ NAME = "x", ON = "CUSTOM", STATE = "ACTIVE", LCM_STATE = "RUN", COMMAND = "a" ]', /unknown LCM_STATE "RUN"/);
  bad('VM_HOOK = "a"', /must be a vector/);
});

test('events match the states OpenNebula documents for them', () => {
  const hooks = hooksFromConfig(
    conf(`VM_HOOK = [ ON = "RUNNING", COMMAND = "a" ]
VM_HOOK = [ ON = "SHUTDOWN", COMMAND = "a" ]
VM_HOOK = [ ON = "DONE", COMMAND = "a" ]
VM_HOOK = [ ON = "STOP", COMMAND = "a" ]
VM_HOOK = [ ON = "FAILED", COMMAND = "a" ]
VM_HOOK = [ ON = "CUSTOM", STATE = "ACTIVE", LCM_STATE = "BOOT_UNKNOWN", COMMAND = "a" ]
VM_HOOK = [ ON = "CUSTOM", STATE = "PENDING", COMMAND = "a" ]
VM_HOOK = [ ON = "CREATE", COMMAND = "a" ]`),
    NAMES,
  ).vm;
  const fired = (s: VmHookSubject) => hooks.filter((h) => vmHookMatches(h, s)).map((h) => h.on + (h.lcmState ?? h.state ?? ''));
  assert.deepEqual(fired(vm('ACTIVE', 'RUNNING')), ['RUNNING']);
  assert.deepEqual(fired(vm('ACTIVE', 'EPILOG')), ['SHUTDOWN']);
  assert.deepEqual(fired(vm('DONE', 'LCM_INIT')), ['DONE']);
  assert.deepEqual(fired(vm('STOPPED', 'LCM_INIT')), ['STOP']);
  assert.deepEqual(fired(vm('ACTIVE', 'BOOT_FAILURE')), ['FAILED']);
  assert.deepEqual(fired(vm('ACTIVE', 'BOOT_UNKNOWN')), ['CUSTOMBOOT_UNKNOWN']);
  assert.deepEqual(fired(vm('PENDING', 'LCM_INIT')), ['CUSTOMPENDING']);
  assert.deepEqual(fired(vm('ACTIVE', 'PROLOG')), [], 'CREATE never fires on a state change');
});

test('variables are replaced inside words, never splitting or joining arguments', () => {
  const [hook] = hooksFromConfig(conf(`VM_HOOK = [ ON = "DONE", COMMAND = "a", ARGUMENTS = "--id=$ID 'two words' $PREV_STATE $UNKNOWN" ]`), NAMES).vm;
  assert.deepEqual(hookArguments(hook!, { ID: '12', PREV_STATE: 'a b; rm -rf /' }), ['--id=12', 'two words', 'a b; rm -rf /', '$UNKNOWN']);
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from '../driver.js';
import { actionData, binDriver, tempDir, writeScript } from '../testing.js';

const remotes = tempDir('vmm-remotes');
const state = tempDir('vmm-state');
mkdirSync(join(state, 'running'));

const SCRIPTS: Record<string, string> = {
  'vmm/t/deploy': `printf '%s\\n' "$@" > "$STATE/deploy.args"; cat > "$STATE/deploy.stdin"; echo "INFO: booting $3" >&2; echo "t-$3"`,
  'vmm/t/shutdown': `echo "some noise" >&2
echo "ERROR MESSAGE --8<------" >&2; echo "cannot stop $1" >&2; echo "ERROR MESSAGE ------>8--" >&2
exit 1`,
  'vmm/t/poll': `sleep 60 & echo $! > "$STATE/poll.pid"; wait`,
  // Waits (up to 5 s) for a sibling so that runs overlap, then records how many run at once.
  'vmm/t/reboot': `touch "$STATE/running/$3"
i=0
while [ "$(ls "$STATE/running" | wc -l)" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ls "$STATE/running" | wc -l >> "$STATE/counts"
sleep 0.3
rm "$STATE/running/$3"`,
  // Fails on its first run for a VM, succeeds afterwards.
  'vmm/t/reset': `f="$STATE/reset-$3"; if [ -f "$f" ]; then echo recovered; exit 0; fi; touch "$f"; echo transient >&2; exit 1`,
  'vnm/fw/pre': `echo "pre $*" >> "$STATE/vnm"`,
  'vnm/fw/post': `echo "post $*" >> "$STATE/vnm"`,
  'vnm/fw/clean': `echo "clean $*" >> "$STATE/vnm"`,
  'vnm/half/pre': `echo "ERROR MESSAGE --8<------" >&2; echo "bridge br7: cannot create: no room" >&2; echo "ERROR MESSAGE ------>8--" >&2; exit 1`,
  'vnm/half/clean': `echo "half clean $*" >> "$STATE/vnm-half"`,
  'vmm/t/migrate': `echo "ERROR MESSAGE --8<------" >&2; echo "cannot reach $2" >&2; echo "ERROR MESSAGE ------>8--" >&2; exit 1`,
  'tm/t/premigrate': `echo "premigrate $*" >> "$STATE/tm-mig"`,
  'tm/t/failmigrate': `echo "failmigrate $*" >> "$STATE/tm-mig"`,
  'vnm/mig/pre': `echo "pre $*" >> "$STATE/vnm-mig"`,
  'vnm/mig/clean': `echo "clean $*" >> "$STATE/vnm-mig"`,
  'tm/t/context': `echo "context $*" >> "$STATE/tm"`,
};
for (const [path, body] of Object.entries(SCRIPTS)) writeScript(join(remotes, path), `#!/bin/sh\n${body}\n`);

const env = { ...process.env, ONE_REMOTES_DIR: remotes, STATE: state };
let main: Driver;
let strict: Driver;

before(async () => {
  main = binDriver('one_vmm_exec', ['-t', '2', '-l', 'deploy,shutdown,reboot,reset,save,migrate,pre,post,clean', 't'], { env });
  strict = binDriver('one_vmm_exec', ['-r', '1', '-w', '1', '-l', 'poll,reset', 't'], { env });
  await Promise.all([main.start(), strict.start()]);
});
after(() => Promise.all([main.stop(), strict.stop()]));

function data(fields: Record<string, string>, vm = '<VM><ID>7</ID><TEMPLATE><MEMORY>512</MEMORY></TEMPLATE></VM>'): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return actionData(`<VMM_DRIVER_ACTION_DATA>${body}${vm}</VMM_DRIVER_ACTION_DATA>`);
}

test('deploy: transfer context, network pre, deploy script with its arguments and the domain on stdin, network post', async () => {
  const domain = join(state, 'deployment.0');
  writeFileSync(domain, '<domain>vm 7</domain>\n');
  const vm = '<VM><ID>7</ID><TEMPLATE><NIC><VN_MAD>fw</VN_MAD></NIC><NIC><VN_MAD>dummy</VN_MAD></NIC></TEMPLATE></VM>';
  const r = await main.request(
    'DEPLOY',
    7,
    [data({ HOST: 'node1', LOCAL_DEPLOYMENT_FILE: domain, REMOTE_DEPLOYMENT_FILE: '/remote/7/deployment.0', TM_COMMAND: 'CONTEXT t /ctx node1:/ds/7/disk.1 7 0' }, vm)],
  );
  assert.equal(r.ok, true, r.info);
  assert.equal(r.info, 't-7');
  assert.deepEqual(readFileSync(join(state, 'deploy.args'), 'utf8').split('\n'), [domain, 'node1', '7', 'node1', '']);
  assert.equal(readFileSync(join(state, 'deploy.stdin'), 'utf8'), '<domain>vm 7</domain>\n');
  assert.equal(readFileSync(join(state, 'tm'), 'utf8'), 'context /ctx node1:/ds/7/disk.1 7 0\n');
  assert.equal(readFileSync(join(state, 'vnm'), 'utf8'), 'pre \npost t-7 node1\n');
  assert.ok(r.logs.some((l) => l.severity === 'I' && l.text === 'booting 7'));
  assert.ok(r.logs.some((l) => l.text === 'Successfully executed virtualization driver operation: deploy.'));
});

test('deploy: a failed network pre is cleaned (what it set up for earlier NICs goes) and nothing is deployed', async () => {
  const domain = join(state, 'deployment.half');
  writeFileSync(domain, '<domain/>\n');
  const vm = '<VM><ID>8</ID><TEMPLATE><NIC><VN_MAD>half</VN_MAD></NIC></TEMPLATE></VM>';
  const r = await main.request('DEPLOY', 8, [data({ HOST: 'node1', LOCAL_DEPLOYMENT_FILE: domain }, vm)]);
  assert.equal(r.ok, false);
  assert.equal(r.info, 'bridge br7: cannot create: no room');
  assert.equal(readFileSync(join(state, 'vnm-half'), 'utf8'), 'half clean node1\n');
  assert.ok(!readFileSync(join(state, 'deploy.args'), 'utf8').includes('deployment.half'), 'the deploy script did not run');
});

test('migrate: a failed migration cleans the network set up on the destination, and the VM stays', async () => {
  const vm = '<VM><ID>9</ID><TEMPLATE><NIC><VN_MAD>mig</VN_MAD></NIC></TEMPLATE></VM>';
  const r = await main.request('MIGRATE', 9, [data({ HOST: 'node1', MIGR_HOST: 'node2', DEPLOY_ID: 'one-9', TM_COMMAND: 'MIGRATE t node1 node2 /ds/9 9 0' }, vm)]);
  assert.deepEqual([r.ok, r.info], [false, 'cannot reach node2']);
  assert.equal(readFileSync(join(state, 'vnm-mig'), 'utf8'), 'pre \nclean node2\n');
  assert.equal(readFileSync(join(state, 'tm-mig'), 'utf8'), 'premigrate node1 node2 /ds/9 9 0\nfailmigrate node1 node2 /ds/9 9 0\n');
});

test('a failing script: FAILURE with its error message, the command and its stderr in the log', async () => {
  const r = await main.request('SHUTDOWN', 7, [data({ HOST: 'node1', DEPLOY_ID: 'one-7' })]);
  assert.equal(r.ok, false);
  assert.equal(r.info, 'cannot stop one-7');
  const logs = r.logs.map((l) => `${l.severity} ${l.text}`);
  assert.ok(logs.includes('E Command execution failed (exit code: 1): vmm/t/shutdown one-7 node1 7 node1'), logs.join('\n'));
  assert.ok(logs.includes('I some noise'));
  assert.ok(logs.includes('E Failed to execute virtualization driver operation: shutdown.'));
});

test('bad requests fail with a message naming what is missing', async () => {
  const nope = await main.request('DEPLOY', 7, [data({ HOST: 'node1', LOCAL_DEPLOYMENT_FILE: '/nope/deployment.0' })]);
  assert.deepEqual([nope.ok, nope.info], [false, 'Cannot open deployment file /nope/deployment.0']);
  const save = await main.request('SAVE', 7, [data({ HOST: 'node1', DEPLOY_ID: 'one-7' })]);
  assert.deepEqual([save.ok, save.info], [false, `Script ${join(remotes, 'vmm/t/save')} does not exist`]);
  const migrate = await main.request('MIGRATE', 7, [data({ HOST: 'node1', DEPLOY_ID: 'one-7' })]);
  assert.deepEqual([migrate.ok, migrate.info], [false, 'MIGRATE needs MIGR_HOST in its action data']);
  const nohost = await main.request('POLL', 7, [data({ DEPLOY_ID: 'one-7' })]);
  assert.deepEqual([nohost.ok, nohost.info], [false, 'POLL needs HOST in its action data']);
  const garbage = await main.request('POLL', 7, ['bm90IHhtbA==']);
  assert.equal(garbage.ok, false);
  assert.match(garbage.info, /^Cannot decode driver action data/);
  const unknown = await main.request('FLY', 7, []);
  assert.deepEqual([unknown.ok, unknown.info], [false, 'Action FLY is not supported by one_vmm_exec']);
});

test('-w: a hung script is killed with its children and the action fails with a timeout', async () => {
  const r = await strict.request('POLL', 8, [data({ HOST: 'node1', DEPLOY_ID: 'one-8' })]);
  assert.deepEqual([r.ok, r.info], [false, 'Timeout after 1 s running vmm/t/poll']);
  const child = Number(readFileSync(join(state, 'poll.pid'), 'utf8'));
  let alive = true;
  try {
    alive = !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
  } catch {
    alive = false;
  }
  assert.equal(alive, false);
});

test('-r: a failed script is run again', async () => {
  const once = await main.request('RESET', 10, [data({ HOST: 'node1', DEPLOY_ID: 'one-10' })]);
  assert.deepEqual([once.ok, once.info], [false, 'transient']);
  const retried = await strict.request('RESET', 11, [data({ HOST: 'node1', DEPLOY_ID: 'one-11' })]);
  assert.deepEqual([retried.ok, retried.info], [true, 'recovered']);
  assert.ok(retried.logs.some((l) => l.text === 'Retrying vmm/t/reset (1/1)'));
});

test('-t: no more actions run at once than the driver has threads', async () => {
  const replies = await Promise.all(
    [21, 22, 23, 24].map((id) => main.request('REBOOT', id, [data({ HOST: 'node1', DEPLOY_ID: `one-${id}` })])),
  );
  assert.ok(replies.every((r) => r.ok));
  const counts = readFileSync(join(state, 'counts'), 'utf8').trim().split('\n').map(Number);
  assert.equal(counts.length, 4);
  assert.equal(Math.max(...counts), 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionData, binDriver, tempDir } from '../testing.js';

// remotes/vmm/example, the cloud-provider driver of docs/drivers.md, run by one_vmm_exec as
// oned.conf configures it: every action local (the "host" is the provider, not a machine).
const EXAMPLE_LOCAL = 'deploy,shutdown,cancel,save,restore,migrate,reboot,reset,poll';

test('the example cloud-provider driver: deploy, poll, reboot, shutdown, cancel, failures', async () => {
  const provider = tempDir('provider');
  const state = tempDir('example');
  const vmm = binDriver('one_vmm_exec', ['-t', '15', '-r', '0', '-l', EXAMPLE_LOCAL, 'example'], {
    env: { ...process.env, EXAMPLE_PROVIDER_DIR: provider, EXAMPLE_MAX_MEMORY: '4096' },
  });
  await vmm.start();
  const data = (vmId: number, memory: number, deployId = '') => {
    const dfile = join(state, `deployment.${vmId}`);
    const vm = `<VM><ID>${vmId}</ID><NAME>web</NAME><TEMPLATE><MEMORY><![CDATA[${memory}]]></MEMORY><CPU>1</CPU></TEMPLATE></VM>`;
    writeFileSync(dfile, vm);
    return actionData(
      `<VMM_DRIVER_ACTION_DATA><HOST>remote_provider</HOST><DEPLOY_ID>${deployId}</DEPLOY_ID>` +
        `<LOCAL_DEPLOYMENT_FILE>${dfile}</LOCAL_DEPLOYMENT_FILE><REMOTE_DEPLOYMENT_FILE>/var/lib/one/datastores/0/${vmId}/deployment.0</REMOTE_DEPLOYMENT_FILE>${vm}</VMM_DRIVER_ACTION_DATA>`,
    );
  };
  try {
    const deployed = await vmm.request('DEPLOY', 23, [data(23, 512)]);
    assert.equal(deployed.ok, true, deployed.info);
    assert.match(deployed.info, /^example-23-\d+$/);
    const id = deployed.info;
    assert.deepEqual(readdirSync(provider), [id]);
    assert.ok(deployed.logs.some((l) => l.text === `Instance ${id} created for VM 23 on remote_provider`));

    const polled = await vmm.request('POLL', 23, [data(23, 512, id)]);
    assert.equal(polled.info, 'STATE=a CPU=0 MEMORY=524288 NETRX=0 NETTX=0 PROVIDER_IP=192.0.2.24');
    assert.equal((await vmm.request('REBOOT', 23, [data(23, 512, id)])).ok, true);
    assert.equal((await vmm.request('RESET', 23, [data(23, 512, id)])).ok, true);
    assert.equal((await vmm.request('SHUTDOWN', 23, [data(23, 512, id)])).ok, true);
    assert.equal(existsSync(join(provider, id)), false);
    assert.equal((await vmm.request('POLL', 23, [data(23, 512, id)])).info, 'STATE=d');

    const again = await vmm.request('CANCEL', 23, [data(23, 512, id)]);
    assert.deepEqual([again.ok, again.info], [false, `Instance ${id} not found at the provider`]);
    const big = await vmm.request('DEPLOY', 24, [data(24, 8192)]);
    assert.deepEqual([big.ok, big.info], [false, 'Provider quota exceeded: VM 24 asks for 8192 MB, the limit is 4096 MB']);
    const save = await vmm.request('SAVE', 23, [data(23, 512, id)]);
    assert.deepEqual([save.ok, save.info.endsWith('/remotes/vmm/example/save does not exist')], [false, true]);
  } finally {
    await vmm.stop();
  }
});

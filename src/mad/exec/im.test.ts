import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRemotesDir } from '../executable.js';
import { binDriver, tempDir, writeScript } from '../testing.js';

test('MONITOR runs every probe of <driver>.d in order and answers their output base64-encoded', async () => {
  const remotes = tempDir('im-remotes');
  writeScript(join(remotes, 'im/run_probes'), readFileSync(join(defaultRemotesDir(), 'im/run_probes'), 'utf8'));
  writeScript(join(remotes, 'im/good.d/10-cpu'), '#!/bin/sh\necho HYPERVISOR=good\necho TOTALCPU=200\n');
  writeScript(join(remotes, 'im/good.d/20-host'), '#!/bin/sh\necho "HOSTNAME=$3"\necho "HOST_ID=$2"\necho "DS=$1"\n');
  writeFileSync(join(remotes, 'im/good.d/README'), 'not executable, skipped\n');
  writeScript(join(remotes, 'im/bad.d/10-ok'), '#!/bin/sh\necho A=1\n');
  writeScript(join(remotes, 'im/bad.d/20-broken'), '#!/bin/sh\necho "cannot read /proc" >&2\nexit 2\n');
  const env = { ...process.env, ONE_REMOTES_DIR: remotes };
  const good = binDriver('one_im_exec', ['-l', 'monitor', 'good'], { env });
  const bad = binDriver('one_im_exec', ['-l', 'monitor', 'bad'], { env });
  const none = binDriver('one_im_exec', ['-l', 'monitor', 'none'], { env });
  await Promise.all([good.start(), bad.start(), none.start()]);
  try {
    const r = await good.request('MONITOR', 4, ['node4', '/var/lib/one/datastores', '0']);
    assert.equal(r.ok, true, r.info);
    assert.equal(
      Buffer.from(r.info, 'base64').toString(),
      'HYPERVISOR=good\nTOTALCPU=200\nHOSTNAME=node4\nHOST_ID=4\nDS=/var/lib/one/datastores',
    );
    // 3.x layout: only the update flag after the host name.
    const old = await good.request('MONITOR', 5, ['node5', '1']);
    assert.match(Buffer.from(old.info, 'base64').toString(), /HOSTNAME=node5\nHOST_ID=5\nDS=-$/);
    assert.deepEqual(await good.request('STOPMONITOR', 5, ['node5']), { ok: true, info: '', logs: [] });
    const failed = await bad.request('MONITOR', 6, ['node6', '-', '0']);
    assert.deepEqual([failed.ok, failed.info], [false, 'Error executing 20-broken (exit code 2)']);
    assert.ok(failed.logs.some((l) => l.text === 'cannot read /proc'));
    const missing = await none.request('MONITOR', 7, ['node7', '-', '0']);
    assert.match(missing.info, /^No probes for this driver: .*none\.d does not exist$/);
  } finally {
    await Promise.all([good.stop(), bad.stop(), none.stop()]);
  }
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { localServices, runs } from './services.js';

test('the scheduler and OneFlow are known by their command or by the script node runs', () => {
  assert.ok(runs(['/usr/lib/nebula-ts/bin/node', '/usr/lib/nebula-ts/dist/src/sched/main.js', '-L', '/var/log/one/sched.log'], 'scheduler'));
  assert.ok(runs(['node', '--max-old-space-size=4096', 'dist/src/sched/main.js'], 'scheduler'));
  assert.ok(runs(['/usr/bin/mm_sched'], 'scheduler'));
  assert.ok(runs(['/usr/bin/node', '/opt/nebula/dist/src/flow/main.js'], 'flow'));
  assert.ok(!runs(['/usr/bin/node', '/opt/nebula/dist/src/flow/main.js'], 'scheduler'));
  assert.ok(!runs(['node', '--test', 'dist/src/sched/scheduler.test.js'], 'scheduler'));
  assert.ok(!runs(['vim', 'src/sched/main.js'], 'scheduler'), 'an editor of the file is not the scheduler');
  assert.ok(!runs([], 'flow'));
});

test('localServices reads the command lines of /proc', async () => {
  const proc = mkdtempSync(join(tmpdir(), 'exporter-proc-'));
  try {
    const process = (pid: number, argv: string[]) => {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    };
    process(10, ['/usr/bin/node', '/usr/lib/nebula-ts/dist/src/oned/main.js', '-f']);
    process(11, ['/usr/bin/node', '/usr/lib/nebula-ts/dist/src/sched/main.js']);
    mkdirSync(join(proc, 'self'));
    assert.deepEqual(await localServices(proc), { scheduler: true, flow: false });
    process(12, ['/usr/bin/oneflow-server']);
    assert.deepEqual(await localServices(proc), { scheduler: true, flow: true });
    assert.deepEqual(await localServices(join(proc, 'missing')), { scheduler: false, flow: false });
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});

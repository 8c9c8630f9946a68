#!/usr/bin/env node
// Runs every compiled test file (unit tests beside the code, end-to-end tests in test/) with
// node's test runner. Arguments narrow the run to files whose path contains one of them.
// `--real` runs the real-host suite instead (test/e2e/real-*.test.ts: namespace hosts with
// sshd, libvirtd and QEMU guests), which the default run leaves out for its length.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const real = args.includes('--real');
const filters = args.filter((a) => a !== '--real');
const isReal = (f) => /[/\\]real-[^/\\]*\.test\.js$/.test(f);
const files = ['dist/src', 'dist/test']
  .flatMap((d) => { try { return collect(d, []); } catch { return []; } })
  .filter((f) => isReal(f) === real)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);

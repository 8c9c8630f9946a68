#!/usr/bin/env node
// Runs `npm run build` unless dist/ is newer than every source it is built from (src/, test/,
// tsconfig.json, package.json, package-lock.json): `npm test && npm run test:real` then builds once.
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const STAMP = 'dist/.built';

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) if (e !== 'node_modules') t = Math.max(t, newest(join(path, e)));
  return t;
}

const sources = ['src', 'test', 'tsconfig.json', 'package.json', 'package-lock.json'].filter((p) => existsSync(p));
const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (built > 0 && sources.every((p) => newest(p) < built)) {
  console.log('dist/ is up to date with src/ and test/: not built again');
  process.exit(0);
}
const started = Date.now();
const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The stamp takes the time the build started: a source saved during the build makes it stale.
writeFileSync(STAMP, '');
utimesSync(STAMP, new Date(started), new Date(started));

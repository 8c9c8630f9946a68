#!/usr/bin/env node
// Prints the method names of the interface facts' method tables (§1.5 of
// ../shared/spec/opennebula-interfaces.md, or the file given), one per line: the source of
// test/conformance/methods-7.4.ts. Rows such as `one.vn.rename / chmod / chown` name several.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('../../shared/spec/opennebula-interfaces.md', import.meta.url).pathname;
const text = readFileSync(file, 'utf8');
const start = text.indexOf('### 1.5 Method reference');
const end = text.indexOf('### 1.6 ', start);
if (start < 0 || end < 0) {
  console.error(`${file}: no §1.5 method reference`);
  process.exit(1);
}
for (const line of text.slice(start, end).split('\n')) {
  const m = /^\| (one\.[a-z_]+\.[A-Za-z_]+(?: \/ [A-Za-z_]+)*) \|/.exec(line);
  if (!m) continue;
  const [first, ...more] = m[1].split(' / ');
  const family = first.slice(0, first.lastIndexOf('.'));
  console.log(first);
  for (const name of more) console.log(`${family}.${name}`);
}

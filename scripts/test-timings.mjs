// A node:test reporter that writes, per test file, the sum of its top-level tests' durations and
// the wall-clock span between its first and last reported event, slowest first. run-tests.js adds
// it when NEBULA_TEST_TIMINGS names a file: `NEBULA_TEST_TIMINGS=/tmp/timings.txt npm test`.
export default async function* timings(source) {
  const files = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const now = Date.now();
    const entry = files.get(file) ?? { first: now, last: now, tests: 0, failed: 0 };
    entry.last = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      entry.tests += event.data.details?.duration_ms ?? 0;
      if (event.type === 'test:fail') entry.failed++;
    }
    files.set(file, entry);
  }
  const rows = [...files].sort((a, b) => b[1].tests - a[1].tests);
  const total = rows.reduce((sum, [, e]) => sum + e.tests, 0);
  yield `# per file: top-level test time (s), wall span of its events (s), failed top-level tests; total ${(total / 1000).toFixed(0)} s\n`;
  for (const [file, e] of rows) {
    yield `${(e.tests / 1000).toFixed(1).padStart(8)} ${((e.last - e.first) / 1000).toFixed(1).padStart(8)} ${String(e.failed).padStart(3)}  ${file.replace(process.cwd() + '/', '')}\n`;
  }
}

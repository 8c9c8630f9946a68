/**
 * Rewrites the `?` placeholders every backend's queries use into PostgreSQL's `$1`, `$2`, ...,
 * leaving alone any `?` inside string literals, quoted identifiers and comments.
 */
export function numberPlaceholders(sql: string): string {
  if (!sql.includes('?')) return sql;
  let out = '';
  let copied = 0;
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const end = skipEnd(sql, i, c);
    if (end > i) {
      i = end;
      continue;
    }
    if (c === '?') {
      out += `${sql.slice(copied, i)}$${++n}`;
      copied = i + 1;
    }
    i++;
  }
  return out + sql.slice(copied);
}

/** If a literal, quoted identifier or comment starts at i, the index just past its end; else i. */
function skipEnd(sql: string, i: number, c: string): number {
  if (c === "'" || c === '"') {
    // A doubled quote inside is an escaped quote: scanning on from it finds the next one.
    let end = sql.indexOf(c, i + 1);
    while (end !== -1 && sql[end + 1] === c) end = sql.indexOf(c, end + 2);
    return end === -1 ? sql.length : end + 1;
  }
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end + 1;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i;
}

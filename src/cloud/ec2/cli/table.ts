/**
 * The tables of the `econe-*` tools: one row per item, columns padded to at least their 3.x
 * width (wider when a value is longer), the header and a rule only with -H/--headers.
 */
export interface Column<T> {
  readonly header: string;
  readonly width: number;
  value(row: T): string | number | boolean | undefined | null;
}

export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[], headers: boolean): string[] {
  const cells = rows.map((r) => columns.map((c) => String(c.value(r) ?? '-')));
  const widths = columns.map((c, i) => Math.max(c.width, headers ? c.header.length : 0, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (headers) {
    const head = line(columns.map((c) => c.header));
    out.push(head, '-'.repeat(Math.max(head.length, 20)));
  }
  for (const row of cells) out.push(line(row));
  return out;
}

/** `key: value` lines, as the 3.x tools printed single results. */
export function formatFields(fields: readonly (readonly [string, string | number | boolean | undefined | null])[]): string[] {
  return fields.map(([k, v]) => `${k}: ${v ?? '-'}`);
}

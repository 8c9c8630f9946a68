/**
 * The table of a pool: the server filters, sorts and pages (`/api/pool/:kind`), the browser
 * renders only the rows in view (@tanstack/react-virtual) and fetches the 100-row chunks they
 * fall in. 20,000 VMs are 200 chunks of which a screen needs one or two. The live feed
 * invalidates the kind's queries, so rows change in place without a reload.
 */
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { pool, type PoolPage, type Row } from '../api';
import { ErrorNote } from './ErrorNote';

export interface Column<R = Row> {
  key: string;
  label: string;
  /** Cell content (default: the field's value). */
  render?: (row: R) => ReactNode;
  /** The server can sort by it (a row field of that name). */
  sortable?: boolean;
  /** Hidden on phone-sized screens. */
  wide?: boolean;
  /** Column width in CSS. */
  width?: string;
}

interface Props<R extends Row> {
  kind: string;
  /** Accessible name of the table ("Virtual machines"). */
  label: string;
  columns: Column<R>[];
  /** Exact field filters (`{ HID: 3 }`). */
  where?: Record<string, string | number>;
  /** Buttons acting on the selected rows' IDs. */
  toolbar?: (selected: number[], clear: () => void) => ReactNode;
  /** Height of the scrolling area (CSS). */
  height?: string;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  /** Placeholder of the search field. */
  searchHint?: string;
}

const CHUNK = 100;
const ROW_HEIGHT = 36;

export function DataTable<R extends Row>({ kind, label, columns, where, toolbar, height = 'calc(100vh - 220px)', initialSort, searchHint }: Props<R>) {
  const [input, setInput] = useState('');
  const [q, setQ] = useState('');
  const [sort, setSort] = useState(initialSort);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  useEffect(() => {
    const t = setTimeout(() => setQ(input.trim()), 120);
    return () => clearTimeout(t);
  }, [input]);

  const base = useMemo(() => ({ q, sort: sort?.key, dir: sort?.dir, where }), [q, sort, where]);
  const key = (chunk: number) => [kind, 'pool', base, chunk] as const;
  const fetchChunk = (chunk: number) => pool<R>(kind, { ...base, offset: chunk * CHUNK, limit: CHUNK });

  const first = useQuery({ queryKey: key(0), queryFn: () => fetchChunk(0), placeholderData: keepPreviousData, retry: 3 });
  const total = first.data?.total ?? 0;

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtual.getVirtualItems();
  const chunks = useMemo(() => {
    const set = new Set<number>();
    for (const it of items) set.add(Math.floor(it.index / CHUNK));
    set.delete(0);
    return [...set];
  }, [items]);
  const more = useQueries({ queries: chunks.map((c) => ({ queryKey: key(c), queryFn: () => fetchChunk(c), placeholderData: keepPreviousData })) });
  const pages = new Map<number, PoolPage<R>>();
  if (first.data) pages.set(0, first.data);
  chunks.forEach((c, i) => more[i]?.data && pages.set(c, more[i]!.data!));
  const rowAt = (i: number): R | undefined => pages.get(Math.floor(i / CHUNK))?.rows[i % CHUNK];

  const toggleSort = (col: string) =>
    setSort((s) => (s?.key === col ? (s.dir === 'asc' ? { key: col, dir: 'desc' } : undefined) : { key: col, dir: 'asc' }));
  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  // A performance mark the first time rows show (bench/ui-bench.ts reads it: time since navigation).
  const marked = useRef(false);
  useEffect(() => {
    if (!marked.current && first.data && first.data.rows.length > 0) {
      marked.current = true;
      performance.mark(`rows:${kind}`);
    }
  }, [first.data, kind]);

  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtual.getTotalSize() - items[items.length - 1]!.end : 0;
  const colSpan = columns.length + (toolbar ? 1 : 0);

  return (
    <section className="datatable" aria-label={label}>
      <div className="table-tools">
        <label className="search">
          <span className="visually-hidden">Search {label.toLowerCase()}</span>
          <input type="search" placeholder={searchHint ?? 'Search'} value={input} onChange={(e) => setInput(e.target.value)} />
        </label>
        {toolbar?.([...selected], () => setSelected(new Set()))}
        <span className="count" aria-live="polite" data-testid="row-count">
          {first.isFetching && !first.data ? 'Loading…' : `${total} ${total === 1 ? 'item' : 'items'}`}
        </span>
      </div>
      {first.error && <ErrorNote error={first.error} />}
      <div className="scroller" ref={scroller} style={{ maxHeight: height }} tabIndex={0} aria-label={`${label}, scrollable`} role="region">
        <table aria-rowcount={total + 1}>
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              {toolbar && (
                <th scope="col" style={{ width: '2.5em' }}>
                  <span className="visually-hidden">Select</span>
                </th>
              )}
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={c.wide ? 'wide' : undefined}
                  style={c.width ? { width: c.width } : undefined}
                  aria-sort={sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {c.sortable ? (
                    <button type="button" className="sort" onClick={() => toggleSort(c.key)}>
                      {c.label}
                      <span aria-hidden="true">{sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true" style={{ height: padTop }}>
                <td colSpan={colSpan} />
              </tr>
            )}
            {items.map((it) => {
              const r = rowAt(it.index);
              const id = r ? Number(r.ID) : -1;
              return (
                <tr key={it.key} aria-rowindex={it.index + 2} style={{ height: ROW_HEIGHT }} data-id={r ? id : undefined}>
                  {toolbar && (
                    <td>
                      {r && <input type="checkbox" aria-label={`Select ${String(r.NAME ?? id)}`} checked={selected.has(id)} onChange={() => toggle(id)} />}
                    </td>
                  )}
                  {columns.map((c) => (
                    <td key={c.key} className={c.wide ? 'wide' : undefined}>
                      {r ? (c.render ? c.render(r) : String(r[c.key] ?? '')) : '…'}
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true" style={{ height: padBottom }}>
                <td colSpan={colSpan} />
              </tr>
            )}
            {first.data && total === 0 && (
              <tr>
                <td colSpan={colSpan} className="empty">
                  {q ? `Nothing matches “${q}”` : 'None yet'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

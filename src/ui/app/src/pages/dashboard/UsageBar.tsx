/**
 * A used-of-total bar (capacity of hosts, quota usage): a native <meter> so screen readers get
 * the numbers, with the numbers written beside it too. A limit of -2 (unlimited) or -1 (default)
 * draws no bar.
 */
export function UsageBar({ label, used, total, format = String, note }: { label: string; used: number; total: number; format?: (n: number) => string; note?: string }) {
  const limited = total > 0;
  const pct = limited ? Math.round((used / total) * 100) : 0;
  return (
    <div className="usage">
      <div className="usage-head">
        <span>{label}</span>
        <span>
          {format(used)} / {note ?? (limited ? format(total) : total === 0 ? format(0) : 'unlimited')}
          {limited ? ` (${pct}%)` : ''}
        </span>
      </div>
      {limited && <meter aria-label={label} min={0} max={total} value={Math.min(used, total)} high={total * 0.85} optimum={0} />}
    </div>
  );
}

/** KB (hosts' memory) as a person reads it. */
export function kb(n: number): string {
  return mb(n / 1024);
}

/** MB (VM memory, quotas) as a person reads it. */
export function mb(n: number): string {
  if (Math.abs(n) >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} TB`;
  if (Math.abs(n) >= 1024) return `${(n / 1024).toFixed(1)} GB`;
  return `${Math.round(n)} MB`;
}

/** CPU in hundredths (host shares: 100 = one CPU). */
export function cpu(n: number): string {
  return (n / 100).toFixed(n % 100 === 0 ? 0 : 2);
}

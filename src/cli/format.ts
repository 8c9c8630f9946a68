/** Value formats shared by the commands' tables and show views, as OpenNebula prints them. */

const UNITS = ['K', 'M', 'G', 'T', 'P'];

/** A size in `unit` (K by default) as OpenNebula shows it: `0K`, `512M`, `7.6G`. */
export function size(value: number, unit: 'K' | 'M' = 'K'): string {
  if (!Number.isFinite(value)) return '-';
  let i = UNITS.indexOf(unit);
  let v = value;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, '');
  return `${text}${UNITS[i]}`;
}

/** `part` of `whole` as a whole percentage (`-` when the whole is unknown or zero). */
export function percent(part: number, whole: number): string {
  return whole > 0 && Number.isFinite(part) ? `${Math.round((part / whole) * 100)}%` : '-';
}

/** Octal permissions (`640`) as show prints them: `um-`, `u--`, `---` for owner, group, other. */
export function permissionTriples(octal: string): [string, string, string] {
  const t = (d: string) => {
    const n = Number(d);
    return `${n & 4 ? 'u' : '-'}${n & 2 ? 'm' : '-'}${n & 1 ? 'a' : '-'}`;
  };
  return [t(octal[0] ?? '0'), t(octal[1] ?? '0'), t(octal[2] ?? '0')];
}

/** Epoch seconds as show prints them (`12/01 21:07:17`, local time); `-` for 0. */
export function dateTime(epochSeconds: number): string {
  if (!(epochSeconds > 0)) return '-';
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Disk snapshots as a tree (a VM disk's or a persistent image's `SNAPSHOTS/SNAPSHOT`): children
 * indented under their parent, the active one marked, each row with the actions the page gives.
 */
import type { ReactNode } from 'react';
import { asArray, type Tree } from '../api';
import { HeadedTable } from './HeadedTable';

export interface DiskSnap {
  id: number;
  name: string;
  date: number;
  parent: number;
  children: number[];
  active: boolean;
  size: number;
  depth: number;
}

/** The `SNAPSHOT` elements in tree order (depth first, ids ascending), each with its depth. */
export function snapshotTree(list: Tree): DiskSnap[] {
  const raw = asArray<Tree>(list?.SNAPSHOT).map((s) => ({
    id: Number(s.ID),
    name: String(s.NAME ?? ''),
    date: Number(s.DATE ?? 0),
    parent: Number(s.PARENT ?? -1),
    children: String(s.CHILDREN ?? '')
      .split(',')
      .filter((c) => c.trim() !== '')
      .map(Number),
    active: s.ACTIVE === 'YES',
    size: Number(s.SIZE ?? 0),
    depth: 0,
  }));
  const byId = new Map(raw.map((s) => [s.id, s]));
  const out: DiskSnap[] = [];
  const seen = new Set<number>();
  const visit = (s: DiskSnap, depth: number) => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    out.push({ ...s, depth });
    for (const c of [...s.children].sort((a, b) => a - b)) {
      const child = byId.get(c);
      if (child) visit(child, depth + 1);
    }
  };
  const sorted = [...raw].sort((a, b) => a.id - b.id);
  for (const s of sorted) if (!byId.has(s.parent)) visit(s, 0);
  for (const s of sorted) visit(s, 0);
  return out;
}

/** Why oned would refuse to delete `s` ('' when it would not): the active one, or one with children. */
export function snapshotDeleteProblem(s: DiskSnap, allowOrphans: boolean): string {
  if (s.active) return `Snapshot ${s.id} is the active one: revert to another first`;
  if (s.children.length > 0 && !allowOrphans) return `Snapshot ${s.id} has children (${s.children.join(', ')}): delete them first`;
  return '';
}

export function SnapshotTree({ label, snaps, actions }: { label: string; snaps: DiskSnap[]; actions: (s: DiskSnap) => ReactNode }) {
  return (
    <HeadedTable label={label} head={['ID', 'Name', 'Taken', 'Size', 'Parent', 'Active', 'Actions']}>
      {snaps.map((s) => (
        <tr key={s.id} data-disk-snapshot={s.id}>
          <td>{s.id}</td>
          <td style={{ paddingLeft: `${0.5 + s.depth * 1.2}rem` }}>
            {s.depth > 0 && <span aria-hidden="true">└ </span>}
            {s.name || '-'}
          </td>
          <td>{s.date > 0 ? new Date(s.date * 1000).toLocaleString() : '-'}</td>
          <td>{s.size > 0 ? `${s.size} MB` : '-'}</td>
          <td>{s.parent >= 0 ? s.parent : '-'}</td>
          <td>{s.active ? <strong>active</strong> : ''}</td>
          <td className="actions">{actions(s)}</td>
        </tr>
      ))}
    </HeadedTable>
  );
}

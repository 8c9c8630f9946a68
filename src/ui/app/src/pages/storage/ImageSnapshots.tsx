/**
 * The image page's Snapshots tab (a persistent image keeps its disk snapshots when its VM is
 * done): revert, delete and flatten with one.image.snapshotrevert / snapshotdelete /
 * snapshotflatten, each confirmed; oned takes them only while the image is READY (no VM uses it).
 */
import type { Tree } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { snapshotDeleteProblem, SnapshotTree, snapshotTree } from '../../components/SnapshotTree';
import { useAct } from '../../hooks';

export function hasImageSnapshots(img: Tree): boolean {
  return snapshotTree(img.SNAPSHOTS).length > 0;
}

export function ImageSnapshots({ img }: { img: Tree }) {
  const act = useAct('image');
  const id = Number(img.ID);
  const snaps = snapshotTree(img.SNAPSHOTS);
  const allowOrphans = String(img.SNAPSHOTS?.ALLOW_ORPHANS ?? 'NO').toUpperCase() === 'YES';
  const why = Number(img.STATE) === 1 ? '' : 'Snapshots of an image change only while it is READY (no VM uses it)';
  const what = `image ${id} (${img.NAME})`;
  return (
    <>
      {why && <p className="notice">{why}.</p>}
      <SnapshotTree
        label={`Snapshots of image ${id}`}
        snaps={snaps}
        actions={(s) => {
          const label = `snapshot ${s.id}${s.name ? ` (${s.name})` : ''}`;
          const deleteWhy = why || snapshotDeleteProblem(s, allowOrphans);
          return (
            <>
              <ConfirmButton label={`Revert to snapshot ${s.id}`} disabled={!!why} title={why || undefined} question={`Revert ${what} to ${label}? What was written to it since is lost.`} onConfirm={() => act('one.image.snapshotrevert', id, s.id)} />
              <ConfirmButton
                label={`Flatten snapshot ${s.id}`}
                disabled={!!why}
                title={why || undefined}
                question={`Flatten ${what} to ${label}? The image keeps that snapshot's content and loses all its snapshots.`}
                danger
                onConfirm={() => act('one.image.snapshotflatten', id, s.id)}
              />
              <ConfirmButton label={`Delete snapshot ${s.id}`} danger disabled={!!deleteWhy} title={deleteWhy || undefined} question={`Delete ${label} of ${what}?`} onConfirm={() => act('one.image.snapshotdelete', id, s.id)} />
            </>
          );
        }}
      />
    </>
  );
}

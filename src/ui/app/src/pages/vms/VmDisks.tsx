/**
 * The VM page's Storage tab: the disks, each with Resize (one.vm.diskresize, grow only), Save as
 * (one.vm.disksaveas) and Take a snapshot (one.vm.disksnapshotcreate), and under them each disk's
 * snapshots as a tree with revert, rename and delete. Every action asks first, checks its values
 * before sending, is disabled with the reason where oned would refuse it, and shows oned's
 * refusal when it still says no.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { type Tree, asArray } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { snapshotDeleteProblem, SnapshotTree, snapshotTree, type DiskSnap } from '../../components/SnapshotTree';
import { useAct } from '../../hooks';
import { IMAGE_TYPES } from '../../states';
import { diskSnapshotList, newDiskSize, resizeState, revertState, saveAsState, snapshotDiskProblem, snapshotState } from './disk-ops';
import { mb } from './format';
import { HeadedTable } from '../../components/HeadedTable';

type Act = ReturnType<typeof useAct>;

const hasControl = (v: string) => /[\u0000-\u001f]/.test(v);

function ResizeDisk({ vm, disk, act }: { vm: Tree; disk: Tree; act: Act }) {
  const id = Number(vm.ID);
  const current = Number(disk.SIZE ?? 0);
  const [size, setSize] = useState('');
  const [unit, setUnit] = useState<'MB' | 'GB'>('GB');
  const why = resizeState(Number(vm.STATE), Number(vm.LCM_STATE)) || (disk.TYPE === 'CDROM' ? 'A CD-ROM is not resized' : '');
  const parsed = newDiskSize(size, unit, current);
  return (
    <DialogButton
      label={`Resize disk ${disk.DISK_ID}`}
      title={`Resize disk ${disk.DISK_ID} of VM ${id}`}
      disabled={!!why}
      reason={why || undefined}
      invalid={typeof parsed === 'string' ? parsed : undefined}
      onConfirm={() => act('one.vm.diskresize', id, Number(disk.DISK_ID), String(parsed))}
    >
      <p>
        The disk has {mb(current)} ({current} MB). It only grows: the guest sees the new size and grows its file system itself.
      </p>
      <label>
        New size
        <input inputMode="decimal" value={size} onChange={(e) => setSize(e.target.value)} />
      </label>
      <label>
        Unit
        <select value={unit} onChange={(e) => setUnit(e.target.value as 'MB' | 'GB')}>
          <option value="MB">MB</option>
          <option value="GB">GB</option>
        </select>
      </label>
    </DialogButton>
  );
}

function SaveAsDisk({ vm, disk, snaps, act, onSaved }: { vm: Tree; disk: Tree; snaps: DiskSnap[]; act: Act; onSaved: (image: number) => void }) {
  const id = Number(vm.ID);
  const [name, setName] = useState('');
  const [type, setType] = useState('');
  const [snap, setSnap] = useState('-1');
  const why = saveAsState(Number(vm.STATE), Number(vm.LCM_STATE)) || (disk.IMAGE_ID === undefined ? 'A volatile disk has no image to save' : '');
  const invalid = !name.trim() ? 'Enter a name for the new image' : hasControl(name) ? 'No control characters in the name' : undefined;
  return (
    <DialogButton
      label={`Save disk ${disk.DISK_ID} as an image`}
      title={`Save disk ${disk.DISK_ID} of VM ${id} as a new image`}
      disabled={!!why}
      reason={why || undefined}
      invalid={invalid}
      onConfirm={async () => onSaved(await act<number>('one.vm.disksaveas', id, Number(disk.DISK_ID), name.trim(), type, Number(snap)))}
    >
      <label>
        Image name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">As the disk's image</option>
          {IMAGE_TYPES.filter((t) => ['OS', 'DATABLOCK', 'CDROM'].includes(t)).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {snaps.length > 0 && (
        <label>
          Content
          <select value={snap} onChange={(e) => setSnap(e.target.value)}>
            <option value="-1">The disk as it is now</option>
            {snaps.map((s) => (
              <option key={s.id} value={String(s.id)}>
                Snapshot {s.id}
                {s.name ? ` (${s.name})` : ''}
              </option>
            ))}
          </select>
        </label>
      )}
    </DialogButton>
  );
}

function TakeSnapshot({ vm, disk, act }: { vm: Tree; disk: Tree; act: Act }) {
  const id = Number(vm.ID);
  const [name, setName] = useState('');
  const why = snapshotState(Number(vm.STATE), Number(vm.LCM_STATE)) || snapshotDiskProblem(disk);
  return (
    <DialogButton
      label={`Take a snapshot of disk ${disk.DISK_ID}`}
      title={`Take a snapshot of disk ${disk.DISK_ID} of VM ${id}`}
      disabled={!!why}
      reason={why || undefined}
      invalid={hasControl(name) ? 'No control characters in the name' : undefined}
      onConfirm={async () => {
        await act('one.vm.disksnapshotcreate', id, Number(disk.DISK_ID), name.trim());
        setName('');
      }}
    >
      <label>
        Snapshot name (optional)
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
    </DialogButton>
  );
}

function RenameSnapshot({ vm, diskId, s, act }: { vm: Tree; diskId: number; s: DiskSnap; act: Act }) {
  const id = Number(vm.ID);
  const [name, setName] = useState(s.name);
  const invalid = !name.trim() ? 'Enter the new name' : hasControl(name) ? 'No control characters in the name' : undefined;
  return (
    <DialogButton label={`Rename snapshot ${s.id} of disk ${diskId}`} title={`Rename snapshot ${s.id} of disk ${diskId} of VM ${id}`} invalid={invalid} onConfirm={() => act('one.vm.disksnapshotrename', id, diskId, s.id, name.trim())}>
      <label>
        New name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
    </DialogButton>
  );
}

/** One disk's snapshots with revert, rename and delete. */
function DiskSnapshots({ vm, disk, snaps, allowOrphans, act }: { vm: Tree; disk: Tree; snaps: DiskSnap[]; allowOrphans: boolean; act: Act }) {
  const id = Number(vm.ID);
  const diskId = Number(disk.DISK_ID);
  const state = Number(vm.STATE);
  const lcm = Number(vm.LCM_STATE);
  const revertWhy = revertState(state);
  const deleteState = snapshotState(state, lcm);
  return (
    <section aria-label={`Snapshots of disk ${diskId}`}>
      <h3>Snapshots of disk {diskId}</h3>
      <SnapshotTree
        label={`Snapshots of disk ${diskId}`}
        snaps={snaps}
        actions={(s) => {
          const label = `snapshot ${s.id}${s.name ? ` (${s.name})` : ''}`;
          const deleteWhy = deleteState || snapshotDeleteProblem(s, allowOrphans);
          return (
            <>
              <ConfirmButton
                label={`Revert disk ${diskId} to snapshot ${s.id}`}
                disabled={!!revertWhy}
                title={revertWhy || undefined}
                question={`Revert disk ${diskId} of VM ${id} to ${label}? What was written to the disk since is lost.`}
                onConfirm={() => act('one.vm.disksnapshotrevert', id, diskId, s.id)}
              />
              <RenameSnapshot key={s.name} vm={vm} diskId={diskId} s={s} act={act} />
              <ConfirmButton
                label={`Delete snapshot ${s.id} of disk ${diskId}`}
                danger
                disabled={!!deleteWhy}
                title={deleteWhy || undefined}
                question={`Delete ${label} of disk ${diskId} of VM ${id}?`}
                onConfirm={() => act('one.vm.disksnapshotdelete', id, diskId, s.id)}
              />
            </>
          );
        }}
      />
    </section>
  );
}

export function StorageTab({ vm }: { vm: Tree }) {
  const act = useAct('vm', 'image');
  const [saved, setSaved] = useState<number | undefined>();
  const disks = asArray<Tree>(vm.TEMPLATE?.DISK);
  const state = Number(vm.STATE);
  const lcm = Number(vm.LCM_STATE);
  if (disks.length === 0) return <p className="panel">This VM has no disks.</p>;
  const notes = [resizeState(state, lcm), snapshotState(state, lcm), revertState(state)].filter(Boolean);
  const withSnaps = disks.map((d) => {
    const list = diskSnapshotList(vm, d.DISK_ID);
    return { disk: d, snaps: snapshotTree(list), allowOrphans: String(list?.ALLOW_ORPHANS ?? 'NO').toUpperCase() === 'YES' };
  });
  return (
    <>
      {notes.length > 0 && state !== 6 && <p className="notice">{notes.join('. ')}.</p>}
      <p role="status">
        {saved !== undefined && (
          <>
            The disk is being saved as <Link to={`/images/${saved}`}>image {saved}</Link>.
          </>
        )}
      </p>
      <HeadedTable label="Disks" head={['ID', 'Image', 'Type', 'Target', 'Size', 'Datastore', 'Snapshots', 'Actions']}>
        {withSnaps.map(({ disk: d, snaps }) => (
          <tr key={String(d.DISK_ID)} data-disk={String(d.DISK_ID)}>
            <td>{d.DISK_ID ?? ''}</td>
            <td>{d.IMAGE_ID !== undefined ? <Link to={`/images/${d.IMAGE_ID}`}>{d.IMAGE ?? `image ${d.IMAGE_ID}`}</Link> : 'volatile'}</td>
            <td>{d.TYPE ?? '-'}</td>
            <td>{d.TARGET ?? '-'}</td>
            <td>{mb(d.SIZE)}</td>
            <td>{d.DATASTORE ?? '-'}</td>
            <td>{snaps.length}</td>
            <td className="actions">
              {state !== 6 && (
                <>
                  <ResizeDisk key={`r${d.SIZE}`} vm={vm} disk={d} act={act} />
                  <SaveAsDisk vm={vm} disk={d} snaps={snaps} act={act} onSaved={setSaved} />
                  <TakeSnapshot vm={vm} disk={d} act={act} />
                </>
              )}
            </td>
          </tr>
        ))}
      </HeadedTable>
      {withSnaps
        .filter((w) => w.snaps.length > 0)
        .map((w) => (
          <DiskSnapshots key={String(w.disk.DISK_ID)} vm={vm} disk={w.disk} snaps={w.snaps} allowOrphans={w.allowOrphans} act={act} />
        ))}
    </>
  );
}

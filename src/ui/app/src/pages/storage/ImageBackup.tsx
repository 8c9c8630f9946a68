/**
 * A backup image's page tab: the increments of its chain (BACKUP_INCREMENTS; a FULL backup is
 * one), and Restore, which calls one.image.restore into an image datastore (name, no IP / no
 * NIC, the increment to restore up to) and then links to the VM template and images oned made.
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { asArray, pool, type Tree } from '../../api';
import { DialogButton } from '../../components/Confirm';
import { HeadedTable } from '../../components/HeadedTable';
import { useAct } from '../../hooks';
import { formatMb, templateText, when } from './common';

export const BACKUP_IMAGE = 6;

/** The chain's increments, oldest first (empty for a FULL backup image). */
export function backupIncrements(img: Tree): Tree[] {
  return asArray<Tree>(img?.BACKUP_INCREMENTS?.INCREMENT);
}

/** "0 FULL, 1 INCREMENT" or "FULL" for a backup image without a chain. */
export function incrementsText(img: Tree): string {
  const incs = backupIncrements(img);
  return incs.length ? incs.map((i) => `${i.ID} ${i.TYPE}`).join(', ') : 'FULL';
}

/** The restore options template; empty values are left out for oned's defaults. */
export function restoreOptions(name: string, noIp: boolean, noNic: boolean, increment: string): string {
  return templateText({ NAME: name.trim() || undefined, NO_IP: noIp ? 'YES' : undefined, NO_NIC: noNic ? 'YES' : undefined, INCREMENT_ID: increment === '' ? undefined : increment });
}

function Restore({ img, onDone }: { img: Tree; onDone: (answer: string) => void }) {
  const act = useAct('image', 'template', 'datastore');
  const id = Number(img.ID);
  const stores = useQuery({ queryKey: ['datastore', 'pool', 'image-ds'], queryFn: () => pool('datastore', { where: { TYPE: 0 }, limit: 1000 }) });
  const [ds, setDs] = useState('');
  const [name, setName] = useState('');
  const [noIp, setNoIp] = useState(false);
  const [noNic, setNoNic] = useState(false);
  const [increment, setIncrement] = useState('');
  const ids = useId();
  const incs = backupIncrements(img);
  const rows = stores.data?.rows ?? [];
  const target = ds || String(rows[0]?.ID ?? '');
  const ready = Number(img.STATE) === 1;
  return (
    <DialogButton
      label="Restore"
      title={`Restore backup image ${id}`}
      disabled={!ready}
      reason={ready ? undefined : 'Only a READY backup image is restored'}
      invalid={target === '' ? 'There is no image datastore to restore into' : undefined}
      onConfirm={async () => onDone(String(await act('one.image.restore', id, Number(target), restoreOptions(name, noIp, noNic, increment))))}
    >
      <label>
        Image datastore
        <select value={target} onChange={(e) => setDs(e.target.value)}>
          {rows.map((r) => (
            <option key={String(r.ID)} value={String(r.ID)}>
              {r.ID}: {r.NAME}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder={`${asArray<string>(img.VMS?.ID)[0] ?? '-1'}-${id}`} aria-describedby={`${ids}-name`} />
      </label>
      <small id={`${ids}-name`}>The template gets this name, the images NAME-disk-ID.</small>
      {incs.length > 0 && (
        <label>
          Increment
          <select value={increment} onChange={(e) => setIncrement(e.target.value)}>
            <option value="">The last one ({incs.at(-1)!.ID})</option>
            {incs.map((i) => (
              <option key={String(i.ID)} value={String(i.ID)}>
                {i.ID}: {i.TYPE}, {when(i.DATE)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={noIp} onChange={(e) => setNoIp(e.target.checked)} /> No IP (the NICs get new addresses)
      </label>
      <label className="check">
        <input type="checkbox" checked={noNic} onChange={(e) => setNoNic(e.target.checked)} /> No NIC (the template has no network interfaces)
      </label>
    </DialogButton>
  );
}

/** What one.image.restore made: "<template id> <image id>...", linked. */
function Restored({ answer }: { answer: string }) {
  const [tid, ...iids] = answer.trim().split(/\s+/).map(Number);
  return (
    <p className="notice" role="status">
      Restored:{' '}
      {tid! >= 0 && (
        <>
          <Link to={`/templates/${tid}`}>template {tid}</Link>,{' '}
        </>
      )}
      {iids.map((i, n) => (
        <span key={i}>
          {n > 0 && ', '}
          <Link to={`/images/${i}`}>image {i}</Link>
        </span>
      ))}
    </p>
  );
}

export function ImageBackup({ img }: { img: Tree }) {
  const [answer, setAnswer] = useState('');
  const incs = backupIncrements(img);
  const disks = asArray<string>(img.BACKUP_DISK_IDS?.ID);
  return (
    <>
      <p className="actions">
        <Restore img={img} onDone={setAnswer} />
      </p>
      {answer && <Restored answer={answer} />}
      <dl className="props panel">
        <dt>Backed-up VM</dt>
        <dd>{asArray<string>(img.VMS?.ID).map((v) => <Link key={v} to={`/vms/${v}`}>VM {v} </Link>)}</dd>
        <dt>Disks</dt>
        <dd>{disks.join(', ') || '-'}</dd>
        <dt>Backup id</dt>
        <dd>{img.SOURCE || '-'}</dd>
      </dl>
      {incs.length === 0 ? (
        <p className="panel">A full backup: no increments.</p>
      ) : (
        <HeadedTable label="Increments" head={['ID', 'Type', 'Parent', 'Date', 'Size', 'Backup id']}>
          {incs.map((i) => (
            <tr key={String(i.ID)} data-increment={String(i.ID)}>
              <td>{i.ID}</td>
              <td>{i.TYPE}</td>
              <td>{Number(i.PARENT_ID) >= 0 ? i.PARENT_ID : '-'}</td>
              <td>{when(i.DATE)}</td>
              <td>{formatMb(i.SIZE)}</td>
              <td>{i.SOURCE}</td>
            </tr>
          ))}
        </HeadedTable>
      )}
    </>
  );
}

/**
 * The VM page's Backups tab: the VM's BACKUP_CONFIG (mode, keep last, the last backup), "Back up
 * now" (one.vm.backup into a BACKUP_DS datastore, reset for a new incremental chain) which oned
 * takes only while the VM is POWEROFF, Cancel (one.vm.backupcancel) while it is BACKUP_POWEROFF,
 * and the VM's backup images (BACKUP_IDS) with their increments, linked to their pages.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { asArray, pool, type Tree } from '../../api';
import { ConfirmButton, DialogButton } from '../../components/Confirm';
import { HeadedTable } from '../../components/HeadedTable';
import { useAct, useInfo } from '../../hooks';
import { formatMb, when } from '../storage/common';
import { incrementsText } from '../storage/ImageBackup';
import { S } from './vm-actions';

/** LCM state of a POWEROFF VM being backed up. */
export const BACKUP_POWEROFF = 70;

export const BACKUP_REFUSED = 'A VM is backed up only when POWEROFF: backups of a RUNNING VM are not supported, power it off first';
export const CANCEL_REFUSED = 'Only a backup in progress (BACKUP_POWEROFF) is cancelled';

const SETTINGS = ['MODE', 'KEEP_LAST', 'BACKUP_VOLATILE', 'FS_FREEZE', 'INCREMENT_MODE'];

/**
 * What oned keeps (BACKUPS/BACKUP_CONFIG: LAST_*, the chain) with the settings the next backup
 * takes, as oned reads them: the VM's TEMPLATE/BACKUP_CONFIG, then USER_TEMPLATE's, over what
 * the last backup ran with (oned copies the settings into BACKUPS only when a backup runs).
 */
export function backupConfig(vm: Tree): Record<string, string> {
  const out: Record<string, string> = { ...(vm.BACKUPS?.BACKUP_CONFIG ?? {}) };
  const users = [vm.TEMPLATE?.BACKUP_CONFIG, vm.USER_TEMPLATE?.BACKUP_CONFIG].map((c) => (Array.isArray(c) ? c[0] : c));
  for (const k of SETTINGS) {
    const v = users.map((c) => c?.[k]).find((x) => x !== undefined);
    if (v !== undefined) out[k] = String(v);
  }
  return out;
}

/** Why "Back up now" is refused in this state ('' when it is allowed). */
export function backupRefusal(state: number): string {
  return state === S.POWEROFF ? '' : BACKUP_REFUSED;
}

function BackUpNow({ vm, why }: { vm: Tree; why: string }) {
  const act = useAct('vm', 'image', 'datastore');
  const id = Number(vm.ID);
  const stores = useQuery({ queryKey: ['datastore', 'pool', 'backup-ds'], queryFn: () => pool('datastore', { where: { TYPE: 3 }, limit: 1000 }) });
  const rows = stores.data?.rows ?? [];
  const last = String(vm.BACKUPS?.BACKUP_CONFIG?.LAST_DATASTORE_ID ?? '');
  const [ds, setDs] = useState('');
  const [reset, setReset] = useState(false);
  const target = ds || (rows.some((r) => String(r.ID) === last) ? last : String(rows[0]?.ID ?? ''));
  return (
    <DialogButton
      label="Back up now"
      title={`Back up VM ${id}`}
      disabled={!!why}
      reason={why || undefined}
      invalid={target === '' ? 'There is no backup datastore: create one of type BACKUP_DS first' : undefined}
      onConfirm={() => act('one.vm.backup', id, Number(target), reset)}
    >
      <label>
        Backup datastore
        <select value={target} onChange={(e) => setDs(e.target.value)}>
          {rows.map((r) => (
            <option key={String(r.ID)} value={String(r.ID)}>
              {r.ID}: {r.NAME} ({r.DS_MAD})
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={reset} onChange={(e) => setReset(e.target.checked)} /> Reset: start a new incremental chain
      </label>
    </DialogButton>
  );
}

function BackupRow({ id }: { id: number }) {
  const { data: img, error } = useInfo('image', 'image', id, 'IMAGE');
  return (
    <tr data-backup={id}>
      <td>
        <Link to={`/images/${id}`}>{id}</Link>
      </td>
      <td>{img?.NAME ?? (error ? 'gone' : '…')}</td>
      <td>{img ? <Link to={`/datastores/${img.DATASTORE_ID}`}>{img.DATASTORE}</Link> : ''}</td>
      <td>{img ? when(img.REGTIME) : ''}</td>
      <td>{img ? formatMb(img.SIZE) : ''}</td>
      <td>{img ? incrementsText(img) : ''}</td>
    </tr>
  );
}

export function BackupsTab({ vm }: { vm: Tree }) {
  const act = useAct('vm', 'image');
  const id = Number(vm.ID);
  const state = Number(vm.STATE);
  const backingUp = state === S.ACTIVE && Number(vm.LCM_STATE) === BACKUP_POWEROFF;
  const cfg = backupConfig(vm);
  const ids = asArray<string>(vm.BACKUPS?.BACKUP_IDS?.ID);
  const why = backupRefusal(state);
  return (
    <>
      {state !== S.DONE && (
        <p className="actions">
          <BackUpNow vm={vm} why={why} />
          <ConfirmButton label="Cancel backup" danger disabled={!backingUp} title={backingUp ? undefined : CANCEL_REFUSED} question={`Cancel the backup of VM ${id}? The VM goes back to POWEROFF and no backup image is made.`} onConfirm={() => act('one.vm.backupcancel', id)} />
          {why && !backingUp && <span className="notice">{why}.</span>}
          {backingUp && <span className="notice">Backing up…</span>}
        </p>
      )}
      <dl className="props panel" aria-label="Backup configuration">
        <dt>Mode</dt>
        <dd>{(cfg.MODE || 'FULL').toUpperCase()}</dd>
        <dt>Keep last</dt>
        <dd>{cfg.KEEP_LAST || 'all'}</dd>
        <dt>Volatile disks</dt>
        <dd>{cfg.BACKUP_VOLATILE?.toUpperCase() === 'YES' ? 'backed up' : 'not backed up'}</dd>
        <dt>Last datastore</dt>
        <dd>{cfg.LAST_DATASTORE_ID !== undefined && Number(cfg.LAST_DATASTORE_ID) >= 0 ? <Link to={`/datastores/${cfg.LAST_DATASTORE_ID}`}>{cfg.LAST_DATASTORE_ID}</Link> : '-'}</dd>
        <dt>Last backup</dt>
        <dd>{cfg.LAST_BACKUP_ID ? `${cfg.LAST_BACKUP_ID} (${formatMb(cfg.LAST_BACKUP_SIZE)})` : '-'}</dd>
        {cfg.INCREMENTAL_BACKUP_ID !== undefined && Number(cfg.INCREMENTAL_BACKUP_ID) >= 0 && (
          <>
            <dt>Current chain</dt>
            <dd>
              <Link to={`/images/${cfg.INCREMENTAL_BACKUP_ID}`}>image {cfg.INCREMENTAL_BACKUP_ID}</Link>, last increment {cfg.LAST_INCREMENT_ID ?? '-'}
            </dd>
          </>
        )}
      </dl>
      {ids.length === 0 ? (
        <p className="panel">This VM has no backups.</p>
      ) : (
        <HeadedTable label="Backup images" head={['Image', 'Name', 'Datastore', 'Made', 'Size', 'Increments']}>
          {ids.map((i) => (
            <BackupRow key={i} id={Number(i)} />
          ))}
        </HeadedTable>
      )}
    </>
  );
}

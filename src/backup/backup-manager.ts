/**
 * oned's side of VM backups (OpenNebula 7.4): what the VMM BACKUP request carries (the transfer
 * driver's PREBACKUP / POSTBACKUP commands, the disks, the backup datastore with its encrypted
 * values in clear for the driver), and what the driver's answer (`<backup_id> <size_mb>
 * [format]`) makes: a backup image (TYPE BACKUP, in the backup datastore, owned by the VM's
 * owner) per FULL backup, or one more increment of the VM's incremental chain, and the VM's
 * BACKUPS updated. KEEP_LAST removes the oldest FULL backup images beyond it.
 *
 * The VM is POWEROFF: the LCM moves it to BACKUP_POWEROFF for the time of the driver work and
 * back to POWEROFF either way (see LifeCycleManager, `backups` option).
 */
import type { Logger } from '../common/log.js';
import type { AttributePolicy } from '../common/attribute-policy.js';
import { Template } from '../common/template/index.js';
import { DatastoreType, type Datastore, type DatastorePool } from '../datastore/index.js';
import { Image, ImageState, ImageType, type ImageManager, type ImagePool } from '../image/index.js';
import { Permissions, type Transaction } from '../pool/index.js';
import { vectors, type VirtualMachine, type VmBackups } from '../vm/index.js';

export interface BackupManagerOptions {
  readonly images: ImagePool;
  readonly datastores: DatastorePool;
  readonly log: Logger;
  /** Removes pruned backup images (the datastore driver's RM). */
  readonly imageManager?: () => ImageManager | undefined;
  readonly attributes?: AttributePolicy;
  /** A VM's backup ended (backup jobs follow their VMs with it). */
  readonly onFinished?: (vmId: number, ok: boolean) => void;
}

/** What the VMM BACKUP request adds to VMM_DRIVER_ACTION_DATA. */
export interface BackupRequestData {
  /** The PREBACKUP transfer command. */
  readonly tmCommand: string;
  /** `<BACKUP>`: the disks, POSTBACKUP command and the backup datastore. */
  readonly extraXml: string;
}

/** Key of BACKUP_CONFIG set while a backup runs (as 7.4's ACTIVE_FLAG). */
const ACTIVE = 'ACTIVE_FLAG';
/** Key of BACKUP_CONFIG with the mode the running backup was asked for (FULL or INCREMENT). */
const RUNNING_MODE = 'RUNNING_MODE';

const now = () => Math.floor(Date.now() / 1000);

/** The disks a backup saves: DISK_IDs of the VM's disks (volatile ones only with BACKUP_VOLATILE, never CD-ROMs). */
export function backupDiskIds(vm: VirtualMachine, withVolatile: boolean): number[] {
  const ids: number[] = [];
  for (const d of vectors(vm.template, 'DISK')) {
    const type = (d.get('TYPE') ?? '').toUpperCase();
    if (type === 'CDROM') continue;
    if (!d.has('IMAGE_ID') && !withVolatile) continue;
    const id = Number(d.get('DISK_ID'));
    if (Number.isInteger(id)) ids.push(id);
  }
  return ids;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class BackupManager {
  constructor(private readonly o: BackupManagerOptions) {}

  /** The VM's incremental chain image, when it can take one more increment in `dsId`. */
  chainImage(vm: VirtualMachine, dsId: number): Image | undefined {
    const id = Number(vm.backups.get('INCREMENTAL_BACKUP_ID') ?? -1);
    const img = id >= 0 ? this.o.images.get(id) : undefined;
    if (!img || img.fields.datastoreId !== dsId || !img.backup.isChain) return undefined;
    if (img.state !== ImageState.READY) return undefined;
    return img;
  }

  /**
   * `one.vm.backup` accepted (POWEROFF VM, backup datastore checked): records in BACKUP_CONFIG
   * the target datastore, the mode this backup runs in (INCREMENT only when there is a chain to
   * add to and no reset) and ACTIVE_FLAG. Throws a plain Error for a bad BACKUP_CONFIG.
   */
  start(vm: VirtualMachine, ds: Datastore, reset: boolean, jobConfig?: Template): void {
    const b = vm.backups;
    const s = jobConfig ? b.settings(jobConfig, vm.template, vm.userTemplate) : b.settings(vm.template, vm.userTemplate);
    if (backupDiskIds(vm, s.backupVolatile).length === 0) throw new Error(`VM ${vm.oid} has no disks to back up.`);
    b.applySettings(s);
    if (reset || s.mode === 'FULL') {
      b.delete('INCREMENTAL_BACKUP_ID');
      b.delete('LAST_INCREMENT_ID');
    }
    const chain = s.mode === 'INCREMENT' ? this.chainImage(vm, ds.oid) : undefined;
    b.set(RUNNING_MODE, chain ? 'INCREMENT' : 'FULL');
    b.set('LAST_DATASTORE_ID', ds.oid);
    b.set(ACTIVE, 'YES');
  }

  /** Whether a backup of the VM is running. */
  isActive(vm: VirtualMachine): boolean {
    return vm.backups.get(ACTIVE) === 'YES';
  }

  /** What the VMM BACKUP request carries, for a VM whose files are in `vmDir` on `host`. */
  requestData(vm: VirtualMachine, p: { tmMad: string; host: string; vmDir: string; dsId: number }): BackupRequestData {
    const b = vm.backups;
    const dsId = Number(b.get('LAST_DATASTORE_ID') ?? -1);
    const ds = this.o.datastores.get(dsId);
    const disks = backupDiskIds(vm, b.get('BACKUP_VOLATILE') === 'YES').join(':');
    const mode = b.get(RUNNING_MODE) === 'INCREMENT' ? 'INCREMENT' : 'FULL';
    const incId = mode === 'INCREMENT' ? Number(b.get('LAST_INCREMENT_ID') ?? 0) + 1 : 0;
    const bj = b.get('BACKUP_JOB_ID') ?? '-';
    const deployId = vm.deployId || '-';
    const common = [`${p.host}:${p.vmDir}`, disks, deployId, bj, vm.oid, p.dsId];
    const tmCommand = ['PREBACKUP', p.tmMad, ...common, mode, incId].join(' ');
    const post = ['POSTBACKUP', p.tmMad, ...common].join(' ');
    let dsXml = ds?.toXml() ?? '';
    if (ds && this.o.attributes) dsXml = this.o.attributes.decryptedXml('DATASTORE', dsXml, ds.template);
    const extraXml =
      `<BACKUP><DISKS>${disks}</DISKS><MODE>${mode}</MODE><INCREMENT_ID>${incId}</INCREMENT_ID>` +
      `<TM_POST>${escapeText(post)}</TM_POST><DS_MAD>${escapeText(ds?.fields.dsMad ?? '')}</DS_MAD><DS_ID>${dsId}</DS_ID>` +
      `<BACKUP_JOB_ID>${escapeText(bj)}</BACKUP_JOB_ID>${dsXml}</BACKUP>`;
    return { tmCommand, extraXml };
  }

  /** The driver answered `<backup_id> <size_mb> [format]`: the backup image is made or grows. */
  done(tx: Transaction, vm: VirtualMachine, info: string): void {
    const b = vm.backups;
    const [backupId = '', sizeText = '0', format = 'raw'] = info.trim().split(/\s+/);
    const size = Number.isFinite(Number(sizeText)) ? Math.max(0, Math.round(Number(sizeText))) : 0;
    const dsId = Number(b.get('LAST_DATASTORE_ID') ?? -1);
    const ds = this.o.datastores.get(dsId);
    const mode = b.get(RUNNING_MODE);
    this.clear(b);
    this.o.onFinished?.(vm.oid, backupId !== '' && !!ds);
    if (!ds || backupId === '') {
      this.o.log.error('VMM', `VM ${vm.oid}: backup answer without a backup id or datastore ("${info}")`);
      return;
    }
    const t = now();
    const withVolatile = b.get('BACKUP_VOLATILE') === 'YES';
    if (mode === 'INCREMENT') {
      const img = this.chainImage(vm, dsId);
      if (img) {
        const inc = tx.touch(this.o.images, img).backup.addIncrement(t, size, backupId);
        img.fields.size += size;
        img.fields.modtime = t;
        b.set('LAST_INCREMENT_ID', inc.id);
        this.finish(b, backupId, size);
        return;
      }
    }
    const img = this.newImage(tx, vm, ds, { backupId, size, format, time: t, diskIds: backupDiskIds(vm, withVolatile), chain: b.get('MODE') === 'INCREMENT' });
    b.addId(img.oid);
    if (b.get('MODE') === 'INCREMENT') {
      b.set('INCREMENTAL_BACKUP_ID', img.oid);
      b.set('LAST_INCREMENT_ID', 0);
    }
    this.finish(b, backupId, size);
    this.prune(tx, vm);
  }

  /** The backup failed or was cancelled: nothing is recorded but the end of the run. */
  failed(vm: VirtualMachine): void {
    this.clear(vm.backups);
    this.o.onFinished?.(vm.oid, false);
  }

  /** The VM's backup image went away (deleted): it leaves BACKUP_IDS. */
  forget(vm: VirtualMachine, imageId: number): void {
    vm.backups.removeId(imageId);
    if (vm.backups.get('INCREMENTAL_BACKUP_ID') === String(imageId)) {
      vm.backups.delete('INCREMENTAL_BACKUP_ID');
      vm.backups.delete('LAST_INCREMENT_ID');
    }
  }

  private clear(b: VmBackups): void {
    b.delete(ACTIVE);
    b.delete(RUNNING_MODE);
  }

  private finish(b: VmBackups, backupId: string, size: number): void {
    b.set('LAST_BACKUP_ID', backupId);
    b.set('LAST_BACKUP_SIZE', size);
  }

  private newImage(tx: Transaction, vm: VirtualMachine, ds: Datastore, r: { backupId: string; size: number; format: string; time: number; diskIds: number[]; chain: boolean }): Image {
    const { images, datastores } = this.o;
    const oid = images.nextOid();
    const d = new Date(r.time * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const month = d.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
    // "<vm id> <dd-Mon hh.mm.ss>", as 7.4 names backup images.
    let name = `${vm.oid} ${pad(d.getUTCDate())}-${month} ${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}.${pad(d.getUTCSeconds())}`;
    if (images.getByName(name, vm.owner.uid)) name = `${name} ${oid}`;
    const template = new Template();
    const bj = vm.backups.get('BACKUP_JOB_ID');
    if (bj) template.set('BACKUP_JOB_ID', bj);
    const img = new Image(oid, name, vm.owner, Permissions.fromOctal(0o600), {
      type: ImageType.BACKUP, diskType: ds.fields.diskType, persistent: false, regtime: r.time, modtime: r.time,
      source: r.backupId, path: '', format: r.format, fs: '', size: r.size, state: ImageState.READY, prevState: ImageState.INIT,
      cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: ds.oid, datastore: ds.name,
    }, template, { vms: [vm.oid] });
    img.backup.diskIds = r.diskIds;
    if (r.chain) img.backup.addIncrement(r.time, r.size, r.backupId);
    tx.create(images, img);
    tx.touch(datastores, ds).images.add(oid);
    this.o.log.info('ImM', `New backup image ${oid} "${name}" of VM ${vm.oid} in datastore ${ds.oid}`);
    return img;
  }

  /** KEEP_LAST: the oldest FULL backup images of the VM beyond it are removed (their driver RM). */
  private prune(tx: Transaction, vm: VirtualMachine): void {
    const keep = Number(vm.backups.get('KEEP_LAST') ?? 0);
    if (!(keep > 0) || vm.backups.get('MODE') === 'INCREMENT') return;
    const mine = vm.backups.ids.map((id) => this.o.images.get(id)).filter((i): i is Image => !!i && i.state === ImageState.READY);
    const extra = mine.length - keep;
    if (extra <= 0) return;
    for (const img of mine.slice(0, extra)) {
      tx.touch(this.o.images, img).setState(ImageState.DELETE);
      vm.backups.removeId(img.oid);
      const ds = this.o.datastores.get(img.fields.datastoreId);
      tx.afterCommit(() => this.o.imageManager?.()?.remove(img, ds));
      this.o.log.info('ImM', `VM ${vm.oid}: backup image ${img.oid} removed (KEEP_LAST = ${keep})`);
    }
  }
}

/** A backup datastore `one.vm.backup` may write to, else a plain Error. */
export function checkBackupDatastore(ds: Datastore): void {
  if (ds.fields.dsType !== DatastoreType.BACKUP_DS) throw new Error(`Datastore ${ds.oid} is not a backup datastore (TYPE = BACKUP_DS).`);
}

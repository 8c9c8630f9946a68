/**
 * The Transfer Manager: writes a VM's transfer file `var/vms/<id>/transfer.<seq>.<op>` with the
 * lines of spec §6.4 and sends `TRANSFER <vm_id> <file>` to the TM_MAD driver. The lines name
 * the system datastore's TM_MAD (from the history record), so one driver process serves them all.
 */
import { hostname } from 'node:os';
import type { Driver, DriverReply } from '../mad/index.js';
import type { VirtualMachine, VmLogs } from '../vm/index.js';
import { LcmState, resizingDisk, savingDisk, vectors } from '../vm/index.js';
import type { Vector } from '../common/template/index.js';
import { diskSnapshotLine } from './disk-snapshot-line.js';

/** Transfer operations and the file suffix each one gets. */
export type TransferOp = 'prolog' | 'epilog' | 'migrate' | 'resume' | 'stop' | 'delete' | 'prolog_attach' | 'epilog_detach' | 'disk_snapshot' | 'disk_resize' | 'disk_saveas';

/** Where a transfer happens: the VM directory on the host and on the front-end. */
export interface TransferPlace {
  readonly vid: number;
  readonly seq: number;
  readonly tmMad: string;
  readonly dsId: number;
  /** `<system ds base path>/<vm id>`. */
  readonly vmDir: string;
  readonly host: string;
  /** Source host of a migration. */
  readonly prevHost?: string;
}

export interface TransferManagerOptions {
  /** The TM_MAD driver; undefined when oned.conf configures none (every transfer fails). */
  readonly driver: Driver | undefined;
  readonly logs: VmLogs;
  /** The front-end's host name in `host:path` arguments. */
  readonly frontend?: string;
}

/** What the CONTEXT line puts on the CD-ROM: context.sh and the CONTEXT FILES (front-end paths). */
export interface ContextSource {
  readonly file: string;
  readonly files: readonly string[];
}

/** The front-end host name transfer lines use. */
export const FRONTEND = hostname();

export class TransferManager {
  private readonly frontend: string;

  constructor(private readonly o: TransferManagerOptions) {
    this.frontend = o.frontend ?? FRONTEND;
  }

  /**
   * The lines of a transfer file. Read the VM synchronously (this call), so the file describes
   * the VM as it was when the operation was decided. `context` is, when the VM has CONTEXT, the
   * front-end path of its context file and the FILES to put on the CD-ROM with it.
   */
  lines(vm: VirtualMachine, op: TransferOp, at: TransferPlace, context: ContextSource | null): string[] {
    const { tmMad, dsId, vmDir, host } = at;
    const id = vm.oid;
    const fe = `${this.frontend}:${vmDir}`;
    const onHost = `${host}:${vmDir}`;
    switch (op) {
      case 'prolog': {
        const out = vectors(vm.template, 'DISK').flatMap((d) => this.diskLine(d, vm.oid, at));
        const ctx = vm.template.getVector('CONTEXT');
        if (ctx && context) out.push(['CONTEXT', tmMad, context.file, ...context.files, `${onHost}/disk.${ctx.get('DISK_ID')}`, id, dsId].join(' '));
        return out;
      }
      case 'prolog_attach':
        return vectors(vm.template, 'DISK').filter((d) => d.get('ATTACH') === 'YES').flatMap((d) => this.diskLine(d, vm.oid, at));
      case 'epilog_detach':
        return vectors(vm.template, 'DISK').filter((d) => d.get('ATTACH') === 'YES').map((d) => `DELETE ${tmMad} ${onHost}/disk.${d.get('DISK_ID')} ${id} ${dsId}`);
      case 'epilog':
        return [...this.saveBack(vm, onHost, at), `DELETE ${tmMad} ${onHost} ${id} ${dsId}`];
      case 'delete':
        return [`DELETE ${tmMad} ${onHost} ${id} ${dsId}`];
      case 'stop':
        return [`MV ${tmMad} ${onHost} ${fe} ${id} ${dsId}`];
      case 'resume':
        return [`MV ${tmMad} ${fe} ${onHost} ${id} ${dsId}`];
      case 'migrate':
        return [`MV ${tmMad} ${at.prevHost}:${vmDir} ${onHost} ${id} ${dsId}`];
      case 'disk_snapshot':
        return diskSnapshotLine(vm, at);
      case 'disk_resize':
        return this.resizeLine(vm, at);
      case 'disk_saveas':
        return this.saveAsLine(vm, at);
    }
  }

  /** Where the VM's files are: on the front-end while it is (being) undeployed or stopped. */
  private vmFiles(vm: VirtualMachine, at: Pick<TransferPlace, 'vmDir' | 'host'>): string {
    const l = vm.lcmState;
    const away = l === LcmState.DISK_RESIZE_UNDEPLOYED || l === LcmState.HOTPLUG_SAVEAS_UNDEPLOYED || l === LcmState.HOTPLUG_SAVEAS_STOPPED;
    return `${away ? this.frontend : at.host}:${at.vmDir}`;
  }

  /** `RESIZE <tm_mad> <host:vmdir/disk.N> <size_mb> <vm_id> <ds_id>` of the DISK with RESIZE=YES (disk-resize). */
  resizeLine(vm: VirtualMachine, at: Pick<TransferPlace, 'tmMad' | 'dsId' | 'vmDir' | 'host'>): string[] {
    const d = resizingDisk(vm.template);
    if (!d) return [];
    return [`RESIZE ${d.get('TM_MAD') ?? at.tmMad} ${this.vmFiles(vm, at)}/disk.${d.get('DISK_ID')} ${d.get('SIZE')} ${vm.oid} ${at.dsId}`];
  }

  /** `CPDS <tm_mad> <host:vmdir/disk.N> <new image SOURCE> <snap_id> <vm_id> <ds_id>` of the DISK being saved (disk-saveas). */
  saveAsLine(vm: VirtualMachine, at: Pick<TransferPlace, 'tmMad' | 'dsId' | 'vmDir' | 'host'>): string[] {
    const d = savingDisk(vm.template);
    if (!d) return [];
    const disk = `${this.vmFiles(vm, at)}/disk.${d.get('DISK_ID')}`;
    return [`CPDS ${d.get('TM_MAD') ?? at.tmMad} ${disk} ${d.get('HOTPLUG_SAVE_AS_SOURCE')} ${d.get('HOTPLUG_SAVE_AS_SNAPSHOT_ID') ?? -1} ${vm.oid} ${d.get('DATASTORE_ID') ?? at.dsId}`];
  }

  /**
   * The line that puts one DISK on the host: MKSWAP / MKIMAGE for volatile disks, CLONE (LN when
   * `CLONE = NO`) for image disks; none for a disk without either. Also the TM_COMMAND of a
   * hot-plugged disk.
   */
  diskLine(d: Vector, vid: number, at: Pick<TransferPlace, 'tmMad' | 'dsId' | 'vmDir' | 'host'>): string[] {
    const disk = `${at.host}:${at.vmDir}/disk.${d.get('DISK_ID')}`;
    if (d.get('TYPE') === 'swap') return [`MKSWAP ${at.tmMad} ${d.get('SIZE')} ${disk} ${vid} ${at.dsId}`];
    if (d.get('TYPE') === 'fs') return [`MKIMAGE ${at.tmMad} ${d.get('SIZE')} ${d.get('FORMAT') ?? 'raw'} ${disk} ${vid} ${at.dsId}`];
    const source = d.get('SOURCE');
    if (source === undefined) return [];
    const from = source.includes(':') ? source : `${this.frontend}:${source}`;
    return [`${d.get('CLONE') === 'NO' ? 'LN' : 'CLONE'} ${d.get('TM_MAD') ?? at.tmMad} ${from} ${disk} ${vid} ${d.get('DATASTORE_ID') ?? at.dsId}`];
  }

  /**
   * The epilog of a VM terminated while STOPPED or UNDEPLOYED: its files are on the front-end,
   * where its persistent disks are saved back from before the directory goes.
   */
  frontendDelete(vm: VirtualMachine, at: TransferPlace): string[] {
    const fe = `${this.frontend}:${at.vmDir}`;
    return [...this.saveBack(vm, fe, at), `DELETE ${at.tmMad} ${fe} ${vm.oid} ${at.dsId}`];
  }

  /**
   * MVDS of each persistent disk (SAVE = YES) back to its image (or a 3.x savedisk's new one), by the disk's own TM_MAD and
   * datastore, as OpenNebula's epilog does before it deletes the VM directory `dir`.
   */
  private saveBack(vm: VirtualMachine, dir: string, at: TransferPlace): string[] {
    return vectors(vm.template, 'DISK')
      .filter((d) => d.get('SAVE') === 'YES' && (d.get('SAVE_AS_SOURCE') ?? d.get('SOURCE')) !== undefined)
      // A 3.x savedisk (SAVE_AS) goes to the new image's SOURCE, in the same datastore.
      .map((d) => `MVDS ${d.get('TM_MAD') ?? at.tmMad} ${dir}/disk.${d.get('DISK_ID')} ${d.get('SAVE_AS_SOURCE') ?? d.get('SOURCE')} ${vm.oid} ${d.get('DATASTORE_ID') ?? at.dsId}`);
  }

  /** Writes the transfer file and sends it to the driver; resolves with its reply. */
  async transfer(op: TransferOp, at: TransferPlace, lines: readonly string[]): Promise<DriverReply> {
    const driver = this.o.driver;
    if (!driver) return { ok: false, info: 'No TM_MAD driver is configured', logs: [] };
    let file: string;
    try {
      file = await this.o.logs.writeFile(at.vid, `transfer.${at.seq}.${op}`, lines.map((l) => `${l}\n`).join(''));
    } catch (e) {
      return { ok: false, info: `Cannot write the transfer file: ${(e as Error).message}`, logs: [] };
    }
    return driver.request('TRANSFER', at.vid, [file]);
  }
}

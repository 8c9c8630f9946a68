/**
 * The Virtual Machine Manager: sends the VMM actions (DEPLOY, SHUTDOWN, CANCEL, SAVE, RESTORE,
 * MIGRATE, REBOOT, RESET, ATTACHDISK, DETACHDISK, ATTACHNIC, DETACHNIC, SNAPSHOTCREATE,
 * SNAPSHOTREVERT, SNAPSHOTDELETE, CLEANUP, POLL, RESIZE, UPDATECONF) to the
 * VM_MAD driver of the VM's host, as `<ACTION> <vm_id> <base64 VMM_DRIVER_ACTION_DATA>`
 * (spec §6.3). For DEPLOY the deployment file (in the driver's format: the VM XML, or libvirt's
 * domain XML for kvm/qemu) is written to `var/vms/<id>/deployment.<seq>` first.
 */
import { xmlElement } from '../common/xml.js';
import type { Driver, DriverReply } from '../mad/index.js';
import type { VmLogs } from '../vm/index.js';
import { VM_XML_FORMAT, type DeploymentFormat } from './deployment-formats.js';

export type VmmAction =
  | 'DEPLOY' | 'SHUTDOWN' | 'CANCEL' | 'SAVE' | 'RESTORE' | 'MIGRATE' | 'REBOOT' | 'RESET'
  | 'ATTACHDISK' | 'DETACHDISK' | 'ATTACHNIC' | 'DETACHNIC' | 'CLEANUP' | 'POLL' | 'RESIZE' | 'UPDATECONF'
  | 'SNAPSHOTCREATE' | 'SNAPSHOTREVERT' | 'SNAPSHOTDELETE' | 'DISKSNAPSHOTCREATE'
  | 'RESIZEDISK' | 'BACKUP' | 'BACKUPCANCEL' | 'UPDATESG';

/** What a VMM request carries (VMM_DRIVER_ACTION_DATA), read from the VM when the action is decided. */
export interface VmmRequest {
  readonly vid: number;
  readonly seq: number;
  /** The host's VM_MAD (from the history record). */
  readonly vmMad: string;
  readonly host: string;
  /** Destination host of a live migration, else ''. */
  readonly migrHost: string;
  readonly deployId: string;
  /** `<vm dir on the host>`: the deployment and checkpoint files go there. */
  readonly remoteDir: string;
  readonly tmCommand: string;
  readonly diskTargetPath?: string;
  /** The VM's XML. */
  readonly vmXml: string;
  /** The system datastore's XML. */
  readonly datastoreXml: string;
  /** More elements of the action data (BACKUP: `<BACKUP>`, see src/backup). */
  readonly extraXml?: string;
}

export interface VirtualMachineManagerOptions {
  /** VM_MAD drivers by NAME. */
  readonly drivers: ReadonlyMap<string, Driver>;
  /** Deployment file format by VM_MAD NAME; the VM XML for drivers not listed. */
  readonly formats?: ReadonlyMap<string, DeploymentFormat>;
  readonly logs: VmLogs;
}

export class VirtualMachineManager {
  constructor(private readonly o: VirtualMachineManagerOptions) {}

  /** Sends `action` for the VM; resolves with the driver's reply (never rejects). */
  async request(action: VmmAction, r: VmmRequest): Promise<DriverReply> {
    const driver = this.o.drivers.get(r.vmMad);
    if (!driver) return { ok: false, info: `No VM_MAD driver named "${r.vmMad}" is configured`, logs: [] };
    let local = '';
    let remote = '';
    if (action === 'DEPLOY') {
      const format = this.o.formats?.get(r.vmMad) ?? VM_XML_FORMAT;
      let file: string;
      try {
        file = format(r.vmXml, r.remoteDir);
      } catch (e) {
        return { ok: false, info: `Cannot generate the deployment file: ${(e as Error).message}`, logs: [] };
      }
      try {
        local = await this.o.logs.writeFile(r.vid, `deployment.${r.seq}`, file);
      } catch (e) {
        return { ok: false, info: `Cannot write the deployment file: ${(e as Error).message}`, logs: [] };
      }
      remote = `${r.remoteDir}/deployment.${r.seq}`;
    }
    const data =
      `<VMM_DRIVER_ACTION_DATA>${xmlElement('HOST', r.host)}${xmlElement('MIGR_HOST', r.migrHost)}${xmlElement('DEPLOY_ID', r.deployId)}` +
      `${xmlElement('LOCAL_DEPLOYMENT_FILE', local)}${xmlElement('REMOTE_DEPLOYMENT_FILE', remote)}` +
      `${xmlElement('CHECKPOINT_FILE', `${r.remoteDir}/checkpoint`)}${xmlElement('TM_COMMAND', r.tmCommand)}` +
      `${xmlElement('DISK_TARGET_PATH', r.diskTargetPath ?? '')}${r.vmXml}${r.datastoreXml}${r.extraXml ?? ''}</VMM_DRIVER_ACTION_DATA>`;
    return driver.request(action, r.vid, [Buffer.from(data).toString('base64')]);
  }
}

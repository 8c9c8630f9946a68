/**
 * The BACKUP and BACKUPCANCEL actions of `one_vmm_exec` (OpenNebula 7.4's backup flow):
 *
 *   1. PREBACKUP (transfer driver, `TM_COMMAND`): the disks are prepared on the host in
 *      `<vm dir>/backup/` (a full qcow2 copy, or the changes since the last backup);
 *   2. `datastore/<DS_MAD>/backup <host>:<vm dir> <disk ids a:b> <vm uuid> <backup job id>
 *      <vm id> <ds id>` (front-end; base64 `<DS_DRIVER_ACTION_DATA>` with the VM and the backup
 *      datastore on stdin) ships them to the backup server and answers
 *      `<backup id> <size MB> [format]`, the answer of the action;
 *   3. POSTBACKUP (transfer driver) with `OK` or `FAIL`: the prepared copies go, and on
 *      success the host keeps the reference the next increment is computed from.
 *
 * BACKUPCANCEL stops a running BACKUP of the VM: its scripts are killed, then POSTBACKUP FAIL
 * and `datastore/<DS_MAD>/backup_cancel` (same arguments) remove what was prepared and what
 * reached the backup server.
 */
import { rawElement, text } from './action-data.js';
import type { ActionContext } from '../server/driver-server.js';
import type { VmmAction } from './vmm.js';

/** Running backups by VM id: BACKUPCANCEL aborts them. */
const running = new Map<string, AbortController>();

/** A context whose signal also fires on `abort`, sharing the request's log. */
function linked(ctx: ActionContext, abort: AbortController): ActionContext {
  return { signal: AbortSignal.any([ctx.signal, abort.signal]), log: (s, t) => ctx.log(s, t) };
}

/** A context that is never aborted (clean-up after a cancel). */
function fresh(ctx: ActionContext): ActionContext {
  return { signal: new AbortController().signal, log: (s, t) => ctx.log(s, t) };
}

interface BackupRequest {
  readonly disks: string;
  readonly post: string;
  readonly dsMad: string;
  readonly dsId: string;
  readonly bjId: string;
  readonly dsXml: string;
}

function backupRequest(a: VmmAction): BackupRequest {
  const xml = rawElement(a.data.xml, 'BACKUP');
  const node = a.data.root.children.find((c) => c.name === 'BACKUP');
  if (!node || xml === '') throw new Error('BACKUP needs <BACKUP> in its action data');
  const dsMad = text(node, 'DS_MAD');
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(dsMad)) throw new Error(`Backup datastore driver '${dsMad}' not available`);
  const disks = text(node, 'DISKS');
  if (!/^\d+(:\d+)*$/.test(disks)) throw new Error(`BACKUP: no disks to back up ("${disks}")`);
  return { disks, post: text(node, 'TM_POST'), dsMad, dsId: text(node, 'DS_ID'), bjId: text(node, 'BACKUP_JOB_ID') || '-', dsXml: rawElement(xml, 'DATASTORE') };
}

/** Arguments of the datastore driver's backup and backup_cancel. */
function dsArgs(a: VmmAction, b: BackupRequest): string[] {
  return [`${a.host}:${dirOf(a)}`, b.disks, text(a.vm!, 'TEMPLATE/OS/UUID') || `one-${a.vmId}`, b.bjId, a.vmId, b.dsId];
}

/** The VM directory on the host, as PREBACKUP names it (`host:dir`). */
function dirOf(a: VmmAction): string {
  const hostDir = a.field('TM_COMMAND').split(/\s+/)[2] ?? '';
  return hostDir.slice(hostDir.indexOf(':') + 1);
}

/** The request data the datastore driver reads: the VM, then the backup datastore. */
function dsData(a: VmmAction, b: BackupRequest): string {
  return Buffer.from(`<DS_DRIVER_ACTION_DATA>${rawElement(a.data.xml, 'VM')}${b.dsXml}</DS_DRIVER_ACTION_DATA>`).toString('base64');
}

export async function backupSteps(a: VmmAction): Promise<string> {
  const b = backupRequest(a);
  if (running.has(a.vmId)) throw new Error(`A backup of VM ${a.vmId} is already running`);
  const abort = new AbortController();
  running.set(a.vmId, abort);
  const ctx = linked(a.context, abort);
  const post = (outcome: 'OK' | 'FAIL', c: ActionContext) => (b.post === '' ? Promise.resolve() : a.tryTo(`transfer manager driver operation: postbackup ${outcome}`, a.tm(`${b.post} ${outcome}`, c)));
  try {
    await a.must('transfer manager driver operation: prebackup', a.tm(a.field('TM_COMMAND'), ctx)).catch(async (e: unknown) => {
      await post('FAIL', fresh(ctx));
      throw e;
    });
    const r = a.log('datastore driver operation: backup', await a.frontend(`datastore/${b.dsMad}/backup`, dsArgs(a, b), dsData(a, b), ctx));
    if (!r.ok || abort.signal.aborted) {
      const c = fresh(ctx);
      if (abort.signal.aborted) await a.tryTo('datastore driver operation: backup_cancel', a.frontend(`datastore/${b.dsMad}/backup_cancel`, dsArgs(a, b), dsData(a, b), c));
      await post('FAIL', c);
      throw new Error(abort.signal.aborted ? 'Backup cancelled' : r.info);
    }
    await post('OK', ctx);
    return r.stdout;
  } finally {
    if (running.get(a.vmId) === abort) running.delete(a.vmId);
  }
}

export async function backupCancelSteps(a: VmmAction): Promise<string> {
  const abort = running.get(a.vmId);
  if (!abort) return '';
  abort.abort();
  a.context.log('I', `Backup of VM ${a.vmId} cancelled`);
  return '';
}

/**
 * A history record: one period of a VM on a host (spec §2.1.1, §4.1), opened at deploy or
 * migration and closed with the action that ended it. Kept in the VM's XML and, one row per
 * record, in the `history` table that `one.vmpool.accounting` reads.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Write } from '../db/database.js';
import { VmAction, type VmActionValue } from './vm-state.js';

/** The `history` table. */
export const HISTORY_TABLE = 'history';

/** Where a history record places the VM. */
export interface Placement {
  readonly hostname: string;
  readonly hid: number;
  readonly cid: number;
  readonly vmMad: string;
  readonly tmMad: string;
  readonly dsId: number;
}

export class History {
  stime = 0;
  etime = 0;
  pstime = 0;
  petime = 0;
  rstime = 0;
  retime = 0;
  estime = 0;
  eetime = 0;
  action: VmActionValue = VmAction.NONE;
  uid = -1;
  gid = -1;
  reqId = '-1';
  /**
   * The VM as the record's first write saw it (its accounting copy, as OpenNebula keeps the VM
   * of when the record was made); '' until then, and for records loaded at start (their next
   * write takes the VM as it is then).
   */
  vmXml = '';

  constructor(
    readonly oid: number,
    readonly seq: number,
    readonly placement: Placement,
  ) {}

  /** Records who asked for the action that ends (or changes) this period. */
  setAction(action: VmActionValue, uid: number, gid: number, reqId: number): void {
    this.action = action;
    this.uid = uid;
    this.gid = gid;
    this.reqId = String(reqId);
  }

  toXml(): string {
    const p = this.placement;
    return (
      `<HISTORY><OID>${this.oid}</OID><SEQ>${this.seq}</SEQ>${xmlElement('HOSTNAME', p.hostname)}<HID>${p.hid}</HID><CID>${p.cid}</CID>` +
      `<STIME>${this.stime}</STIME><ETIME>${this.etime}</ETIME>${xmlElement('VM_MAD', p.vmMad)}${xmlElement('TM_MAD', p.tmMad)}<DS_ID>${p.dsId}</DS_ID>` +
      `<PLAN_ID>-2</PLAN_ID><ACTION_ID>-1</ACTION_ID>` +
      `<PSTIME>${this.pstime}</PSTIME><PETIME>${this.petime}</PETIME><RSTIME>${this.rstime}</RSTIME><RETIME>${this.retime}</RETIME>` +
      `<ESTIME>${this.estime}</ESTIME><EETIME>${this.eetime}</EETIME><ACTION>${this.action}</ACTION>` +
      `<UID>${this.uid}</UID><GID>${this.gid}</GID>${xmlElement('REQUEST_ID', this.reqId)}</HISTORY>`
    );
  }

  /** The reduced record of `one.vmpool.info` (§2.1.2). */
  toShortXml(): string {
    const p = this.placement;
    return (
      `<HISTORY><OID>${this.oid}</OID><SEQ>${this.seq}</SEQ>${xmlElement('HOSTNAME', p.hostname)}<HID>${p.hid}</HID><CID>${p.cid}</CID>` +
      `<DS_ID>${p.dsId}</DS_ID>${xmlElement('VM_MAD', p.vmMad)}${xmlElement('TM_MAD', p.tmMad)}<ACTION>${this.action}</ACTION></HISTORY>`
    );
  }

  /**
   * The row of the `history` table; its body nests `vmXml`, the VM as it is when the record is
   * written (without its history), as OpenNebula's accounting records do.
   */
  write(vmXml = ''): Write {
    const body = vmXml === '' ? this.toXml() : `${this.toXml().slice(0, -'</HISTORY>'.length)}${vmXml}</HISTORY>`;
    return { kind: 'upsert', table: HISTORY_TABLE, row: { vid: this.oid, seq: this.seq, body, stime: this.stime, etime: this.etime } };
  }

  static fromXml(node: XmlNode): History {
    const h = new History(childInt(node, 'OID'), childInt(node, 'SEQ'), {
      hostname: childText(node, 'HOSTNAME'),
      hid: childInt(node, 'HID'),
      cid: childInt(node, 'CID'),
      vmMad: childText(node, 'VM_MAD'),
      tmMad: childText(node, 'TM_MAD'),
      dsId: childInt(node, 'DS_ID'),
    });
    h.stime = childInt(node, 'STIME');
    h.etime = childInt(node, 'ETIME');
    h.pstime = childInt(node, 'PSTIME');
    h.petime = childInt(node, 'PETIME');
    h.rstime = childInt(node, 'RSTIME');
    h.retime = childInt(node, 'RETIME');
    h.estime = childInt(node, 'ESTIME');
    h.eetime = childInt(node, 'EETIME');
    h.action = childInt(node, 'ACTION') as VmActionValue;
    h.uid = childInt(node, 'UID', -1);
    h.gid = childInt(node, 'GID', -1);
    h.reqId = childText(node, 'REQUEST_ID') || '-1';
    return h;
  }
}

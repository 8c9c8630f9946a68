/**
 * What a backup image (TYPE BACKUP, in a backup datastore) holds besides its SOURCE: the
 * increments of an incremental chain (`<BACKUP_INCREMENTS><INCREMENT>` with ID, PARENT_ID,
 * TYPE FULL or INCREMENT, DATE, SIZE and SOURCE, the backup server's id of each) and the ids of
 * the VM disks it saved (`<BACKUP_DISK_IDS>`), as OpenNebula 7.4 writes them.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';

export interface BackupIncrement {
  readonly id: number;
  /** -1 for the FULL one. */
  readonly parentId: number;
  readonly type: 'FULL' | 'INCREMENT';
  /** Epoch seconds. */
  readonly date: number;
  /** MB. */
  readonly size: number;
  /** The backup server's id of this increment. */
  readonly source: string;
}

export class ImageBackup {
  increments: BackupIncrement[] = [];
  diskIds: number[] = [];

  get isChain(): boolean {
    return this.increments.length > 0;
  }

  /** The increment with `id`, if in the chain. */
  increment(id: number): BackupIncrement | undefined {
    return this.increments.find((i) => i.id === id);
  }

  /** Appends an increment (the first of a chain is FULL); returns it. */
  addIncrement(date: number, size: number, source: string): BackupIncrement {
    const last = this.increments.at(-1);
    const inc: BackupIncrement = { id: last ? last.id + 1 : 0, parentId: last ? last.id : -1, type: last ? 'INCREMENT' : 'FULL', date, size, source };
    this.increments = [...this.increments, inc];
    return inc;
  }

  toXml(): string {
    let incs = '';
    for (const i of this.increments) {
      incs += `<INCREMENT><DATE>${i.date}</DATE><ID>${i.id}</ID>${i.parentId >= 0 ? `<PARENT_ID>${i.parentId}</PARENT_ID>` : ''}<SIZE>${i.size}</SIZE>${xmlElement('SOURCE', i.source)}<TYPE>${i.type}</TYPE></INCREMENT>`;
    }
    let ids = '';
    for (const d of this.diskIds) ids += `<ID>${d}</ID>`;
    return `<BACKUP_INCREMENTS>${incs}</BACKUP_INCREMENTS><BACKUP_DISK_IDS>${ids}</BACKUP_DISK_IDS>`;
  }

  static fromXml(node: XmlNode): ImageBackup {
    const b = new ImageBackup();
    b.increments = (child(node, 'BACKUP_INCREMENTS')?.children ?? []).map((i) => ({
      id: childInt(i, 'ID'),
      parentId: childInt(i, 'PARENT_ID', -1),
      type: childText(i, 'TYPE') === 'INCREMENT' ? 'INCREMENT' : 'FULL',
      date: childInt(i, 'DATE'),
      size: childInt(i, 'SIZE'),
      source: childText(i, 'SOURCE'),
    }));
    b.diskIds = (child(node, 'BACKUP_DISK_IDS')?.children ?? []).map((c) => Number(c.text));
    return b;
  }
}

/**
 * Disk snapshots (`one.vm.disksnapshot*`, `one.image.snapshot*`): the snapshot tree of one disk,
 * rendered as OpenNebula 7.4's `<SNAPSHOTS>` (a top-level element per disk in the VM, `IMAGE/SNAPSHOTS`
 * in an image). Each snapshot has a PARENT (the snapshot that was active when it was taken, -1 for
 * none) and the CHILDREN taken from it; the ACTIVE one is what the disk holds now (the last one
 * taken or reverted to). SIZE is the disk's size (MB) when taken: it is what the snapshot may grow
 * to, and what DISK_SNAPSHOT_TOTAL_SIZE and the quotas count.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';

export interface DiskSnapshot {
  readonly id: number;
  name: string;
  readonly date: number;
  readonly parent: number;
  readonly size: number;
  readonly children: number[];
}

/** Why a snapshot operation is refused (the API answers it as an ACTION error). */
export class DiskSnapshotError extends Error {}

export class DiskSnapshots {
  readonly snaps = new Map<number, DiskSnapshot>();
  active = -1;
  nextSnapshot = 0;
  currentBase = -1;

  /** `diskId` -1 for an image's snapshots (no DISK_ID element). */
  constructor(
    public diskId: number,
    public allowOrphans = 'NO',
  ) {}

  get size(): number {
    return this.snaps.size;
  }

  /** Sum of the snapshots' SIZE: the disk's DISK_SNAPSHOT_TOTAL_SIZE. */
  get totalSize(): number {
    let n = 0;
    for (const s of this.snaps.values()) n += s.size;
    return n;
  }

  get(id: number): DiskSnapshot {
    const s = this.snaps.get(id);
    if (!s) throw new DiskSnapshotError(`snapshot ${id} does not exist`);
    return s;
  }

  /** Adds a snapshot of the current disk (child of the active one); it becomes active once taken (see `activate`). */
  create(name: string, size: number, date: number): DiskSnapshot {
    const id = this.nextSnapshot++;
    const parent = this.allowOrphans === 'YES' ? -1 : this.active;
    const s: DiskSnapshot = { id, name: name === '' ? `snapshot-${id}` : name, date, parent, size, children: [] };
    this.snaps.set(id, s);
    this.snaps.get(parent)?.children.push(id);
    return s;
  }

  activate(id: number): void {
    this.get(id);
    this.active = id;
  }

  /** Why `id` cannot be deleted (null: it can): the active one, or one with children, stay. */
  deleteError(id: number): string | null {
    const s = this.snaps.get(id);
    if (!s) return `snapshot ${id} does not exist`;
    if (id === this.active) return `snapshot ${id} is the active one`;
    if (s.children.length > 0 && this.allowOrphans !== 'YES') return `snapshot ${id} has children (${s.children.join(',')})`;
    return null;
  }

  /** Removes a snapshot (from its parent's children too); no checks (see `deleteError`). */
  remove(id: number): void {
    const s = this.snaps.get(id);
    if (!s) return;
    this.snaps.delete(id);
    const p = this.snaps.get(s.parent);
    if (p) p.children.splice(p.children.indexOf(id), 1);
    for (const c of s.children) {
      const k = this.snaps.get(c);
      if (k) this.snaps.set(c, { ...k, parent: -1 });
    }
    if (this.active === id) this.active = -1;
  }

  clone(diskId = this.diskId): DiskSnapshots {
    const c = new DiskSnapshots(diskId, this.allowOrphans);
    for (const [id, s] of this.snaps) c.snaps.set(id, { ...s, children: [...s.children] });
    c.active = this.active;
    c.nextSnapshot = this.nextSnapshot;
    c.currentBase = this.currentBase;
    return c;
  }

  toXml(): string {
    let xml = `<SNAPSHOTS>${xmlElement('ALLOW_ORPHANS', this.allowOrphans)}<CURRENT_BASE>${this.currentBase}</CURRENT_BASE>`;
    if (this.diskId >= 0) xml += `<DISK_ID>${this.diskId}</DISK_ID>`;
    xml += `<NEXT_SNAPSHOT>${this.nextSnapshot}</NEXT_SNAPSHOT>`;
    for (const s of [...this.snaps.values()].sort((a, b) => a.id - b.id)) {
      xml += '<SNAPSHOT>';
      if (s.id === this.active) xml += '<ACTIVE>YES</ACTIVE>';
      if (s.children.length > 0) xml += `<CHILDREN>${s.children.join(',')}</CHILDREN>`;
      xml += `<DATE>${s.date}</DATE><ID>${s.id}</ID>${xmlElement('NAME', s.name)}<PARENT>${s.parent}</PARENT><SIZE>${s.size}</SIZE></SNAPSHOT>`;
    }
    return `${xml}</SNAPSHOTS>`;
  }

  static fromXml(node: XmlNode): DiskSnapshots {
    const d = new DiskSnapshots(child(node, 'DISK_ID') ? childInt(node, 'DISK_ID') : -1, childText(node, 'ALLOW_ORPHANS') || 'NO');
    d.currentBase = childInt(node, 'CURRENT_BASE', -1);
    d.nextSnapshot = childInt(node, 'NEXT_SNAPSHOT', 0);
    for (const s of node.children.filter((c) => c.name === 'SNAPSHOT')) {
      const id = childInt(s, 'ID');
      const children = childText(s, 'CHILDREN');
      d.snaps.set(id, {
        id,
        name: childText(s, 'NAME'),
        date: childInt(s, 'DATE'),
        parent: childInt(s, 'PARENT', -1),
        size: childInt(s, 'SIZE'),
        children: children === '' ? [] : children.split(',').map(Number),
      });
      if (childText(s, 'ACTIVE') === 'YES') d.active = id;
    }
    return d;
  }
}

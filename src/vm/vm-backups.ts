/**
 * A VM's backups (`<BACKUPS>` of the VM XML, as OpenNebula 7.4): BACKUP_CONFIG, the user's
 * settings (MODE FULL or INCREMENT, KEEP_LAST, BACKUP_VOLATILE, FS_FREEZE, INCREMENT_MODE) and
 * what oned keeps between backups (LAST_BACKUP_ID, LAST_BACKUP_SIZE, LAST_DATASTORE_ID,
 * LAST_INCREMENT_ID, INCREMENTAL_BACKUP_ID, ACTIVE_FLAG while one runs), and BACKUP_IDS, the
 * backup images made of the VM.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';

export type BackupMode = 'FULL' | 'INCREMENT';

/** Keys of BACKUP_CONFIG users set (one.vm.updateconf, the VM template). */
export const BACKUP_CONFIG_KEYS = ['BACKUP_VOLATILE', 'FS_FREEZE', 'INCREMENT_MODE', 'KEEP_LAST', 'MODE'] as const;

/** The settings a backup runs with, checked. */
export interface BackupSettings {
  readonly mode: BackupMode;
  /** 0: keep every backup. */
  readonly keepLast: number;
  readonly backupVolatile: boolean;
  readonly fsFreeze: string;
}

export class VmBackups {
  /** BACKUP_CONFIG, by key (rendered in key order, as 7.4). */
  readonly config = new Map<string, string>();
  /** Backup images of the VM, ascending. */
  ids: number[] = [];
  private xml: string | null = null;

  /** Call after changing `config` or `ids`. */
  changed(): void {
    this.xml = null;
  }

  get(key: string): string | undefined {
    return this.config.get(key);
  }

  set(key: string, value: string | number): void {
    this.config.set(key, String(value));
    this.xml = null;
  }

  delete(key: string): void {
    this.config.delete(key);
    this.xml = null;
  }

  addId(id: number): void {
    if (!this.ids.includes(id)) this.ids = [...this.ids, id].sort((a, b) => a - b);
    this.xml = null;
  }

  removeId(id: number): void {
    this.ids = this.ids.filter((i) => i !== id);
    this.xml = null;
  }

  /**
   * The user's settings: the BACKUP_CONFIG of the given templates, first first (the VM's
   * TEMPLATE, where one.vm.updateconf writes it, then USER_TEMPLATE), over what
   * BACKUPS/BACKUP_CONFIG holds. Throws a plain Error naming a bad value.
   */
  settings(...templates: Template[]): BackupSettings {
    const users = templates.map((t) => t.getVector('BACKUP_CONFIG'));
    const value = (k: string) => (users.map((u) => u?.get(k)).find((v) => v !== undefined) ?? this.config.get(k) ?? '').trim();
    const modeText = value('MODE').toUpperCase() || 'FULL';
    if (modeText !== 'FULL' && modeText !== 'INCREMENT') throw new Error(`BACKUP_CONFIG/MODE must be FULL or INCREMENT, got "${value('MODE')}".`);
    const keepText = value('KEEP_LAST');
    if (keepText !== '' && !/^\d+$/.test(keepText)) throw new Error(`BACKUP_CONFIG/KEEP_LAST must be a number of backups, got "${keepText}".`);
    const volatile = value('BACKUP_VOLATILE').toUpperCase();
    if (volatile !== '' && volatile !== 'YES' && volatile !== 'NO') throw new Error(`BACKUP_CONFIG/BACKUP_VOLATILE must be YES or NO, got "${value('BACKUP_VOLATILE')}".`);
    const freeze = value('FS_FREEZE').toUpperCase() || 'NONE';
    if (!['NONE', 'AGENT', 'SUSPEND'].includes(freeze)) throw new Error(`BACKUP_CONFIG/FS_FREEZE must be NONE, AGENT or SUSPEND, got "${value('FS_FREEZE')}".`);
    return { mode: modeText, keepLast: keepText === '' ? 0 : Number(keepText), backupVolatile: volatile === 'YES', fsFreeze: freeze };
  }

  /** Writes the settings a backup runs with into BACKUP_CONFIG (as 7.4 shows them). */
  applySettings(s: BackupSettings): void {
    this.config.set('BACKUP_VOLATILE', s.backupVolatile ? 'YES' : 'NO');
    this.config.set('FS_FREEZE', s.fsFreeze);
    if (s.keepLast > 0) this.config.set('KEEP_LAST', String(s.keepLast));
    else this.config.delete('KEEP_LAST');
    this.config.set('MODE', s.mode);
    this.xml = null;
  }

  toXml(): string {
    if (this.xml !== null) return this.xml;
    let cfg = '';
    for (const k of [...this.config.keys()].sort()) cfg += xmlElement(k, this.config.get(k)!);
    let ids = '';
    for (const id of this.ids) ids += `<ID>${id}</ID>`;
    return (this.xml = `<BACKUPS>${cfg === '' ? '<BACKUP_CONFIG/>' : `<BACKUP_CONFIG>${cfg}</BACKUP_CONFIG>`}<BACKUP_IDS>${ids}</BACKUP_IDS></BACKUPS>`);
  }

  static fromXml(node: XmlNode | undefined): VmBackups {
    const b = new VmBackups();
    if (!node) return b;
    for (const c of child(node, 'BACKUP_CONFIG')?.children ?? []) b.config.set(c.name, c.text);
    b.ids = (child(node, 'BACKUP_IDS')?.children ?? []).map((c) => Number(c.text)).filter((n) => Number.isInteger(n));
    return b;
  }
}

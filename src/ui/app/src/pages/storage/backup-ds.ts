/**
 * The attributes of a backup datastore (TYPE BACKUP_DS) by DS_MAD, as docs/backups.md lists
 * them: rsync needs RSYNC_HOST and RSYNC_USER, restic RESTIC_PASSWORD (oned.conf's
 * REQUIRED_ATTRS); dummy (tests) none. The create form asks for these and checks the required ones.
 */
export interface BackupAttr {
  key: string;
  label: string;
  required?: boolean;
  hint?: string;
  secret?: boolean;
}

export const BACKUP_DS_ATTRS: Record<string, BackupAttr[]> = {
  rsync: [
    { key: 'RSYNC_HOST', label: 'Backup server (RSYNC_HOST)', required: true },
    { key: 'RSYNC_USER', label: 'SSH user on it (RSYNC_USER)', required: true },
    { key: 'RSYNC_DIR', label: 'Directory on it (RSYNC_DIR)', hint: "Default: the datastore's base path" },
  ],
  restic: [
    { key: 'RESTIC_PASSWORD', label: 'Repository password (RESTIC_PASSWORD)', required: true, secret: true, hint: 'Kept encrypted by oned' },
    { key: 'RESTIC_SFTP_SERVER', label: 'Backup server (RESTIC_SFTP_SERVER)' },
    { key: 'RESTIC_SFTP_USER', label: 'SFTP user (RESTIC_SFTP_USER)', hint: 'Default: oneadmin' },
    { key: 'RESTIC_DIR', label: 'Directory on it (RESTIC_DIR)', hint: "Default: the datastore's base path" },
  ],
  dummy: [],
};

export const BACKUP_DS_MADS = Object.keys(BACKUP_DS_ATTRS);

/** The attributes to send for `dsMad` (empty ones left out) and the errors of missing required ones. */
export function backupDsAttrs(dsMad: string, values: Record<string, string>): { attrs: Record<string, string>; errors: Record<string, string> } {
  const attrs: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const a of BACKUP_DS_ATTRS[dsMad] ?? []) {
    const v = (values[a.key] ?? '').trim();
    if (v) attrs[a.key] = v;
    else if (a.required) errors[a.key] = `Enter the ${a.label.replace(/ \(.*/, '').toLowerCase()}`;
  }
  return { attrs, errors };
}

/**
 * The actions a VM history record was closed by (`HISTORY/ACTION`), by their OpenNebula code:
 * clients show their names (`oneacct`, `onevm show`), oned stores the numbers.
 */
const HISTORY_ACTIONS: readonly string[] = [
  'none', 'migrate', 'live-migrate', 'shutdown', 'shutdown-hard', 'undeploy', 'undeploy-hard',
  'hold', 'release', 'stop', 'suspend', 'resume', 'boot', 'delete', 'delete-recreate', 'reboot',
  'reboot-hard', 'resched', 'unresched', 'poweroff', 'poweroff-hard', 'disk-attach', 'disk-detach',
  'nic-attach', 'nic-detach', 'disk-snapshot-create', 'disk-snapshot-delete', 'terminate',
  'terminate-hard', 'disk-resize', 'deploy', 'chown', 'chmod', 'updateconf', 'rename', 'resize',
  'update', 'snapshot-create', 'snapshot-delete', 'snapshot-revert', 'disk-saveas',
  'disk-snapshot-revert', 'recover', 'retry', 'monitor', 'disk-snapshot-rename', 'alias-attach',
  'alias-detach', 'poweroff-migrate', 'poweroff-hard-migrate', 'backup', 'nic-update',
  'backup-cancel', 'sg-attach', 'sg-detach', 'pci-attach', 'pci-detach', 'restore', 'resched-hard',
];

/** The name of a history action code (`27` is `terminate`); the number itself when unknown. */
export function historyActionName(code: number | string): string {
  return HISTORY_ACTIONS[Number(code)] ?? String(code);
}

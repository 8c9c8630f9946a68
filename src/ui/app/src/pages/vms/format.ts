/** How VM values read on the page: times, sizes, permissions, history actions. */

/** A Unix time (seconds, as oned gives) as local date and time; 0 is "-". */
export function time(secs: string | number | undefined): string {
  const n = Number(secs ?? 0);
  return n > 0 ? new Date(n * 1000).toLocaleString() : '-';
}

/** Megabytes as MB/GB. */
export function mb(v: string | number | undefined): string {
  const n = Number(v ?? 0);
  if (!Number.isFinite(n) || n <= 0) return '-';
  return n >= 1024 ? `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} GB` : `${n} MB`;
}

/** `PERMISSIONS` as the CLI prints it (`um- u-- ---`). */
export function perms(p: Record<string, string> | undefined): string {
  if (!p) return '-';
  return ['OWNER', 'GROUP', 'OTHER'].map((w) => ['U', 'M', 'A'].map((r) => (p[`${w}_${r}`] === '1' ? r.toLowerCase() : '-')).join('')).join(' ');
}

/** History `ACTION` codes as OpenNebula names them. */
const ACTIONS: Record<number, string> = {
  0: 'none', 1: 'migrate', 2: 'live-migrate', 5: 'undeploy', 6: 'undeploy-hard', 7: 'hold', 8: 'release', 9: 'stop', 10: 'suspend',
  11: 'resume', 13: 'delete', 14: 'delete-recreate', 15: 'reboot', 16: 'reboot-hard', 17: 'resched', 18: 'unresched', 19: 'poweroff',
  20: 'poweroff-hard', 21: 'disk-attach', 22: 'disk-detach', 23: 'nic-attach', 24: 'nic-detach', 27: 'terminate', 28: 'terminate-hard',
  30: 'deploy', 42: 'recover', 43: 'retry', 44: 'monitor', 48: 'poweroff-migrate', 49: 'poweroff-hard-migrate',
};
export function historyAction(code: string | number | undefined): string {
  const n = Number(code ?? 0);
  return ACTIONS[n] ?? `action ${n}`;
}

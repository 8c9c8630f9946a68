/**
 * The dummy virtualization driver (`one_vmm_dummy`): every action succeeds at once (unless
 * scripted, see ScriptedResults). DEPLOY answers the deploy id `one-<vm_id>`, POLL an idle
 * running VM, snapshot creation the hypervisor id `dummy-snap-<SNAPSHOT_ID>`
 * (`dummy-snap` without one), UPDATESG the group id, BACKUP `dummy-bk-<vm id>-<n> 1 raw`.
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptedResults } from './scripted-results.js';

/** Actions of OpenNebula's VMM protocol the dummy answers. */
export const DUMMY_VMM_ACTIONS: readonly string[] = [
  'DEPLOY', 'SHUTDOWN', 'CANCEL', 'SAVE', 'RESTORE', 'MIGRATE', 'REBOOT', 'RESET', 'POLL',
  'ATTACHDISK', 'DETACHDISK', 'ATTACHNIC', 'DETACHNIC', 'SNAPSHOTCREATE', 'SNAPSHOTREVERT',
  'SNAPSHOTDELETE', 'DISKSNAPSHOTCREATE', 'RESIZEDISK', 'UPDATECONF', 'CLEANUP', 'UPDATESG',
  'UPDATENIC', 'RESIZE', 'CHECKPOINT', 'BACKUP', 'BACKUPCANCEL',
];

/** POLL answer: running, idle (3.x-5.10 poll keys). */
export const DUMMY_POLL = 'STATE=a CPU=0 MEMORY=0 NETRX=0 NETTX=0';

let backups = 0;

function answer(action: string, id: number, args: readonly string[]): string {
  switch (action) {
    case 'DEPLOY':
      return `one-${id}`;
    case 'POLL':
      return DUMMY_POLL;
    case 'SNAPSHOTCREATE': {
      // The SNAPSHOT oned marked ACTION=CREATE: answered as `dummy-snap-<SNAPSHOT_ID>`.
      const xml = Buffer.from(args[0] ?? '', 'base64').toString('utf8');
      const snaps = xml.match(/<SNAPSHOT>[\s\S]*?<\/SNAPSHOT>/g) ?? [];
      const marked = snaps.find((s) => /<ACTION>\s*(?:<!\[CDATA\[)?CREATE\b/.test(s));
      const id = marked && /<SNAPSHOT_ID>\s*(?:<!\[CDATA\[)?\s*(\d+)/.exec(marked)?.[1];
      return id ? `dummy-snap-${id}` : 'dummy-snap';
    }
    case 'DISKSNAPSHOTCREATE':
      return 'dummy-snap';
    case 'BACKUP':
      // `<backup id> <size MB> <format>`: a new id per request.
      return `dummy-bk-${id}-${++backups} 1 raw`;
    case 'UPDATESG': {
      const xml = Buffer.from(args[0] ?? '', 'base64').toString('utf8');
      return /<SECURITY_GROUP_ID>\s*(?:<!\[CDATA\[)?\s*(\d+)/.exec(xml)?.[1] ?? '';
    }
    default:
      return '';
  }
}

export function dummyVmmActions(results: ScriptedResults): Map<string, ActionHandler> {
  const handler = results.handler((req) => answer(req.action, req.id, req.args));
  return new Map(DUMMY_VMM_ACTIONS.map((a) => [a, handler]));
}

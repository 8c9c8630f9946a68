/**
 * The dummy virtualization driver (`one_vmm_dummy`): every action succeeds at once (unless
 * scripted, see ScriptedResults). DEPLOY answers the deploy id `one-<vm_id>`, POLL an idle
 * running VM, snapshot creation the hypervisor id `dummy-snap`, UPDATESG the group id.
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptedResults } from './scripted-results.js';

/** Actions of OpenNebula's VMM protocol the dummy answers. */
export const DUMMY_VMM_ACTIONS: readonly string[] = [
  'DEPLOY', 'SHUTDOWN', 'CANCEL', 'SAVE', 'RESTORE', 'MIGRATE', 'REBOOT', 'RESET', 'POLL',
  'ATTACHDISK', 'DETACHDISK', 'ATTACHNIC', 'DETACHNIC', 'SNAPSHOTCREATE', 'SNAPSHOTREVERT',
  'SNAPSHOTDELETE', 'DISKSNAPSHOTCREATE', 'RESIZEDISK', 'UPDATECONF', 'CLEANUP', 'UPDATESG',
  'UPDATENIC', 'RESIZE', 'CHECKPOINT',
];

/** POLL answer: running, idle (3.x-5.10 poll keys). */
export const DUMMY_POLL = 'STATE=a CPU=0 MEMORY=0 NETRX=0 NETTX=0';

function answer(action: string, id: number, args: readonly string[]): string {
  switch (action) {
    case 'DEPLOY':
      return `one-${id}`;
    case 'POLL':
      return DUMMY_POLL;
    case 'SNAPSHOTCREATE':
    case 'DISKSNAPSHOTCREATE':
      return 'dummy-snap';
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

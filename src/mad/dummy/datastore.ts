/**
 * The dummy datastore driver, built into `one_datastore` for datastores with `DS_MAD = dummy`
 * (and system datastores with `TM_MAD = dummy`): nothing is stored, every action succeeds with
 * the answer OpenNebula's dummy scripts give.
 */
import type { ActionOutcome } from '../server/driver-server.js';

export const DUMMY_DS = 'dummy';

/** Capacity a dummy datastore reports, in MB. */
export const DUMMY_DS_TOTAL_MB = 1048576;

/** Size STAT reports for any path, in MB. */
export const DUMMY_IMAGE_MB = 1024;

const MONITOR = Buffer.from(`USED_MB=0\nTOTAL_MB=${DUMMY_DS_TOTAL_MB}\nFREE_MB=${DUMMY_DS_TOTAL_MB}\n`).toString('base64');

/** Answer of the dummy datastore to `action` (upper-case protocol name). */
export function dummyDatastoreAnswer(action: string): ActionOutcome {
  switch (action) {
    case 'CP':
    case 'CLONE':
      return { ok: true, info: 'dummy_path raw' };
    case 'MKFS':
      return { ok: true, info: 'dummy_path' };
    case 'STAT':
      return { ok: true, info: String(DUMMY_IMAGE_MB) };
    case 'MONITOR':
      return { ok: true, info: MONITOR };
    case 'RESTORE':
      // No VM XML ("-"), disk 0 as dummy_path (1 MB, raw).
      return { ok: true, info: '- 0:dummy_path:1:raw' };
    default:
      return { ok: true, info: '' };
  }
}

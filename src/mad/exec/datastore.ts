/**
 * Datastore runner (`one_datastore`): `<ACTION> <image_or_ds_id> <base64 DS_DRIVER_ACTION_DATA>`
 * runs `remotes/datastore/<DS_MAD>/<action> <id>` on the front-end with the base64 data on stdin.
 * MONITOR of a system datastore (TYPE 1) runs `remotes/tm/<TM_MAD>/monitor` instead; MONITOR
 * answers are base64-encoded. `DS_MAD = dummy` (and a system `TM_MAD = dummy`) is built in.
 */
import type { ActionHandler, ActionOutcome } from '../server/driver-server.js';
import { DUMMY_DS, dummyDatastoreAnswer } from '../dummy/datastore.js';
import { ScriptedResults } from '../dummy/scripted-results.js';
import { decodeActionData, text, type ActionData } from './action-data.js';
import type { ScriptRunner } from './script-runner.js';

export const DATASTORE_ACTIONS: readonly string[] = [
  'CP', 'CLONE', 'MKFS', 'RM', 'STAT', 'MONITOR', 'SNAP_DELETE', 'SNAP_REVERT', 'SNAP_FLATTEN',
  'RESTORE', 'INCREMENT_FLATTEN',
];

/** System datastore TM drivers allowed when `-s` is not given (OpenNebula's default, plus dummy). */
export const DEFAULT_SYSTEM_TYPES: readonly string[] = ['shared', 'ssh', 'ceph', DUMMY_DS];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export interface DatastoreConfig {
  readonly runner: ScriptRunner;
  /** DS_MAD values served (`-d`); undefined: any in the remotes tree, and dummy. */
  readonly types?: ReadonlySet<string>;
  /** System datastore TM_MAD values served (`-s`). */
  readonly systemTypes: ReadonlySet<string>;
  /** Outcomes and delays of the built-in dummy's actions (`-a`); without it they succeed at once. */
  readonly dummyResults?: ScriptedResults;
}

export function datastoreActions(config: DatastoreConfig): Map<string, ActionHandler> {
  const dummy = (config.dummyResults ?? new ScriptedResults()).handler((req) => dummyDatastoreAnswer(req.action).info ?? '');
  const handler: ActionHandler = async (req, ctx): Promise<ActionOutcome | null> => {
    const blob = req.args[0];
    let data: ActionData;
    try {
      data = decodeActionData(blob);
    } catch (e) {
      return { ok: false, info: (e as Error).message };
    }
    const isSystem = req.action === 'MONITOR' && text(data.root, 'DATASTORE/TYPE') === '1';
    const driver = text(data.root, isSystem ? 'DATASTORE/TM_MAD' : 'DATASTORE/DS_MAD');
    const kind = isSystem ? 'System datastore driver' : 'Datastore driver';
    const allowed = isSystem ? config.systemTypes : config.types;
    if (!NAME.test(driver) || (allowed && !allowed.has(driver))) return { ok: false, info: `${kind} '${driver}' not available` };
    if (driver === DUMMY_DS) return dummy(req, ctx);
    const script = isSystem ? `tm/${driver}/monitor` : `datastore/${driver}/${req.action.toLowerCase()}`;
    const r = await config.runner.run({ script, args: [String(req.id)], stdin: blob }, ctx);
    if (!r.ok) return { ok: false, info: r.info };
    return { ok: true, info: req.action === 'MONITOR' ? Buffer.from(r.stdout).toString('base64') : r.stdout };
  };
  return new Map(DATASTORE_ACTIONS.map((a) => [a, handler]));
}

/**
 * Marketplace runner (`one_market`): `<ACTION> <app_or_market_id> <base64 MARKET_DRIVER_ACTION_DATA>`
 * runs `remotes/market/<MARKET_MAD>/<action> <id>` on the front-end with the base64 data on
 * stdin. IMPORT and MONITOR answer templates (SOURCE, MD5, SIZE, FORMAT; TOTAL_MB, FREE_MB,
 * USED_MB and APP="<base64 app template>" lines), sent base64-encoded on the line.
 */
import type { ActionHandler, ActionOutcome } from '../server/driver-server.js';
import { decodeActionData, text, type ActionData } from './action-data.js';
import type { ScriptRunner } from './script-runner.js';

export const MARKET_ACTIONS: readonly string[] = ['IMPORT', 'DELETE', 'MONITOR'];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export interface MarketConfig {
  readonly runner: ScriptRunner;
  /** MARKET_MAD values served (`-m`); undefined: any in the remotes tree. */
  readonly types?: ReadonlySet<string>;
}

export function marketActions(config: MarketConfig): Map<string, ActionHandler> {
  const handler: ActionHandler = async (req, ctx): Promise<ActionOutcome | null> => {
    const blob = req.args[0];
    let data: ActionData;
    try {
      data = decodeActionData(blob);
    } catch (e) {
      return { ok: false, info: (e as Error).message };
    }
    const driver = text(data.root, 'MARKETPLACE/MARKET_MAD');
    if (!NAME.test(driver) || (config.types && !config.types.has(driver))) return { ok: false, info: `Marketplace driver '${driver}' not available` };
    const r = await config.runner.run({ script: `market/${driver}/${req.action.toLowerCase()}`, args: [String(req.id)], stdin: blob }, ctx);
    if (!r.ok) return { ok: false, info: r.info };
    return { ok: true, info: req.action === 'DELETE' ? r.stdout : Buffer.from(r.stdout).toString('base64') };
  };
  return new Map(MARKET_ACTIONS.map((a) => [a, handler]));
}

/**
 * The marketplace a fresh OpenNebula 7.4 has (owner oneadmin, permissions 744): "OpenNebula Public" (id 0), a catalogue (MARKET_MAD
 * `one`) of OpenNebula's public marketplace. It is created DISABLED here: its monitoring would
 * read https://marketplace.opennebula.io/ every MONITORING_INTERVAL_MARKET seconds, which a
 * front-end without internet access cannot reach; `onemarket enable 0` turns it on (ENDPOINT
 * in its template points it at a mirror).
 */
import { Template } from '../common/template/index.js';
import { INFRASTRUCTURE_OWNER } from '../cluster/index.js';
import { Permissions, type Transaction } from '../pool/index.js';
import { Marketplace, MarketState, type MarketplacePool } from './marketplace.js';

export const PUBLIC_MARKET_NAME = 'OpenNebula Public';
/** Ids below 100 are the system marketplaces'. */
export const FIRST_USER_MARKET = 100;

export function createDefaultMarkets(tx: Transaction, markets: MarketplacePool): void {
  const template = Template.parse('MARKET_MAD = "one"\nDESCRIPTION = "OpenNebula Systems MarketPlace"');
  tx.create(
    markets,
    new Marketplace(markets.nextOid(), PUBLIC_MARKET_NAME, { ...INFRASTRUCTURE_OWNER }, Permissions.fromOctal(0o744), { state: MarketState.DISABLED, marketMad: 'one', zoneId: '0', totalMb: 0, freeMb: 0, usedMb: 0 }, template),
  );
}
